// File mechanics of the bucket store: crash-safe writes (temporary file,
// fsync, rename, fsync of the directory), whole-file reads, the metadata
// line format, and MD5 (S3's
// ETag; OpenSSL's libcrypto, which cpp-httplib already links). A crash leaves
// either the old file or the new one, never a torn one; a stray temporary
// (".tmp-*") is ignored by readers. Free functions; thread-safe as far as the
// file system is (callers serialize writes to one name).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>

#include "common/status.h"

namespace dbinsight::bucket {

// Incremental MD5. Not thread-safe; one per digest.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void Update(std::string_view data);
  // The 16-byte digest. Call once.
  std::string Finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header (OpenSSL stays in files.cc)
};

// Lowercase hex of bytes ("d41d8cd98f00b204e9800998ecf8427e" for MD5 of "").
std::string Hex(std::string_view bytes);
// MD5 of data as lowercase hex.
std::string Md5Hex(std::string_view data);

// Writes data to dir/name atomically and durably. dir must exist.
Status WriteFileAtomically(const std::string& dir, const std::string& name, std::string_view data);
// Writes data to a new temporary file in dir, fsynced; returns its path.
Result<std::string> WriteTemporary(const std::string& dir, std::string_view data);
// Renames the file at from_path to dir/name and fsyncs dir: the commit
// point of a write. Both must be on one file system.
Status CommitRename(const std::string& from_path, const std::string& dir, const std::string& name);
// The whole file.
Result<std::string> ReadFile(const std::string& path);
// fsyncs a directory so a rename or unlink in it survives a crash.
Status SyncDirectory(const std::string& dir);

// The store's metadata files: "name value" lines, the value running to the
// end of its line. Unknown names are kept; a missing one reads as "".
using Fields = std::map<std::string, std::string, std::less<>>;
Fields ParseFields(std::string_view text);
// text with CR and LF replaced by spaces, so it fits on one metadata line.
std::string OneLine(std::string text);

// Internal naming the operation and path, from a std::filesystem error.
Status FsError(std::string_view what, const std::string& path, const std::error_code& ec);

// A random lowercase-hex string of 2 * bytes characters (ids, temp names).
std::string RandomHex(size_t bytes);

}  // namespace dbinsight::bucket
