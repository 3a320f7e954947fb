// The tty door of `dbinsight top`; see terminal.h.
#include "top/terminal.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>

#include "top/text.h"

namespace dbinsight::top {

namespace {

constexpr int kSignals[4] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};

volatile sig_atomic_t g_resized = 0;
volatile sig_atomic_t g_stop = 0;

void OnSignal(int sig) {
  if (sig == SIGWINCH)
    g_resized = 1;
  else
    g_stop = 1;
}

const char* StyleOn(Style style) {
  switch (style) {
    case Style::kHeader:
      return "\x1b[7m";  // reverse video
    case Style::kTitle:
      return "\x1b[1m";  // bold
    case Style::kError:
      return "\x1b[1;31m";
    case Style::kNormal:
      return "";
  }
  return "";
}

}  // namespace

bool IsTerminal(int fd) { return isatty(fd) == 1; }

Result<std::unique_ptr<Terminal>> Terminal::Open(int in_fd, int out_fd) {
  if (!IsTerminal(in_fd) || !IsTerminal(out_fd)) return Status::InvalidArgument("not a terminal");
  termios saved{};
  if (tcgetattr(in_fd, &saved) != 0) return Status::Internal("tcgetattr failed");
  termios raw = saved;
  raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON | ISIG | IEXTEN);
  raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL | BRKINT | INPCK | ISTRIP);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (tcsetattr(in_fd, TCSAFLUSH, &raw) != 0) return Status::Internal("tcsetattr failed");
  sigset_t block, saved_mask;
  sigemptyset(&block);
  for (const int sig : kSignals) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, &saved_mask);
  std::unique_ptr<Terminal> t(new Terminal(in_fd, out_fd, saved, saved_mask));
  g_resized = 0;
  g_stop = 0;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &action, &t->saved_actions_[i]);
  t->Write("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J");
  return t;
}

Terminal::Terminal(int in_fd, int out_fd, const termios& saved, const sigset_t& saved_mask)
    : in_fd_(in_fd), out_fd_(out_fd), saved_(saved), saved_mask_(saved_mask) {}

Terminal::~Terminal() {
  Write("\x1b[0m\x1b[?25h\x1b[?1049l");
  tcsetattr(in_fd_, TCSAFLUSH, &saved_);
  for (int i = 0; i < 4; ++i) sigaction(kSignals[i], &saved_actions_[i], nullptr);
  pthread_sigmask(SIG_SETMASK, &saved_mask_, nullptr);
}

Size Terminal::size() const {
  winsize ws{};
  if (ioctl(out_fd_, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 || ws.ws_row == 0) return {};
  return {ws.ws_col, ws.ws_row};
}

void Terminal::Draw(const std::vector<Line>& lines, Size size) {
  std::string out = "\x1b[H";
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    const int width = DisplayWidth(line.text);
    out += StyleOn(line.style);
    out += line.text;
    // The header bar spans the whole width.
    if (line.style == Style::kHeader && width < size.width) out.append(size.width - width, ' ');
    out += "\x1b[0m";
    // Not after a full line: the cursor sits on its last column and would erase it.
    if (width < size.width) out += "\x1b[K";
    if (i + 1 < lines.size()) out += "\r\n";
  }
  out += "\x1b[J";
  Write(out);
}

Terminal::Event Terminal::Wait(std::chrono::milliseconds timeout) {
  Event event;
  pollfd fd{.fd = in_fd_, .events = POLLIN, .revents = 0};
  const auto ms = std::max<int64_t>(0, timeout.count());
  const timespec ts{.tv_sec = static_cast<time_t>(ms / 1000), .tv_nsec = static_cast<long>(ms % 1000 * 1'000'000)};
  // Our signals are unblocked only while waiting here, so none is lost
  // between a check of the flags and the wait.
  sigset_t wait_mask = saved_mask_;
  for (const int sig : kSignals) sigdelset(&wait_mask, sig);
  const int n = ppoll(&fd, 1, &ts, &wait_mask);
  if (n > 0 && (fd.revents & POLLIN)) {
    char buf[256];
    const ssize_t got = read(in_fd_, buf, sizeof buf);
    if (got > 0)
      event.input.assign(buf, static_cast<size_t>(got));
    else if (got == 0 || errno != EINTR)
      event.stop = true;
  } else if (n > 0 && (fd.revents & (POLLHUP | POLLERR | POLLNVAL))) {
    event.stop = true;
  }
  if (g_resized) event.resized = true;
  if (g_stop) event.stop = true;
  g_resized = 0;
  return event;
}

void Terminal::Write(const std::string& bytes) const {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(out_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the terminal is gone; nothing left to draw on
    done += static_cast<size_t>(n);
  }
}

}  // namespace dbinsight::top
