#include "bucket/files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

#include "common/check.h"

namespace dbinsight::bucket {

namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::Internal(std::string(what) + " " + path + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == ENOSPC ? Status::ResourceExhausted("disk full writing " + path) : Errno("write", path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Md5::Md5() : ctx_(EVP_MD_CTX_new()) {
  DBI_CHECK(ctx_ != nullptr && EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_md5(), nullptr) == 1);
}

Md5::~Md5() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Md5::Update(std::string_view data) {
  DBI_CHECK(EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) == 1);
}

std::string Md5::Finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  DBI_CHECK(EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &size) == 1);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Md5Hex(std::string_view data) {
  Md5 md5;
  md5.Update(data);
  return Hex(md5.Finish());
}

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  std::string raw;
  for (size_t i = 0; i < bytes; ++i) raw += static_cast<char>(rd() & 0xff);
  return Hex(raw);
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Errno("fsync", dir);
}

Result<std::string> WriteTemporary(const std::string& dir, std::string_view data) {
  std::string name = ".tmp-" + RandomHex(8);
  std::string path = dir + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  Status st = WriteAll(fd, data, path);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", path);
  ::close(fd);
  if (!st.ok()) {
    ::unlink(path.c_str());
    return st;
  }
  return path;
}

Status CommitRename(const std::string& from_path, const std::string& dir, const std::string& name) {
  std::string target = dir + "/" + name;
  if (::rename(from_path.c_str(), target.c_str()) != 0) return Errno("rename to", target);
  return SyncDirectory(dir);
}

Status WriteFileAtomically(const std::string& dir, const std::string& name, std::string_view data) {
  auto tmp = WriteTemporary(dir, data);
  if (!tmp.ok()) return tmp.status();
  Status st = CommitRename(tmp.value(), dir, name);
  if (!st.ok()) ::unlink(tmp.value().c_str());
  return st;
}

Fields ParseFields(std::string_view text) {
  Fields out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    out.emplace(std::string(line.substr(0, sp)), std::string(line.substr(sp + 1)));
  }
  return out;
}

std::string OneLine(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

Status FsError(std::string_view what, const std::string& path, const std::error_code& ec) {
  return Status::Internal(std::string(what) + " " + path + ": " + ec.message());
}

Result<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace dbinsight::bucket
