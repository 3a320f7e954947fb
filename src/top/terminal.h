// Terminal: the door of `dbinsight top` to the tty (termios raw mode, ANSI
// escape output, the window size from TIOCGWINSZ, SIGWINCH). The only file of
// top/ that touches the terminal; everything drawn comes from layout.h.
//
// Ownership: restores the terminal (mode, main screen, cursor) and the signal
// mask and handlers on destruction. Thread-safety: one thread; construct it
// before starting other threads so they inherit the blocked signals.
#pragma once

#include <termios.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "top/layout.h"

namespace dbinsight::top {

// Whether fd is a terminal.
bool IsTerminal(int fd);

class Terminal {
 public:
  // Raw input (no echo, no line editing; Ctrl-C arrives as a key, not a
  // signal), the alternate screen, a hidden cursor. SIGWINCH, SIGINT,
  // SIGTERM and SIGHUP are blocked in the calling thread and delivered only
  // inside Wait(). FailedPrecondition-like InvalidArgument when in_fd or
  // out_fd is not a terminal.
  static Result<std::unique_ptr<Terminal>> Open(int in_fd, int out_fd);
  ~Terminal();
  Terminal(const Terminal&) = delete;
  Terminal& operator=(const Terminal&) = delete;

  // The window size now (80x24 if the terminal does not say).
  Size size() const;
  // Replaces the screen with lines (at most size() of them, as Render makes).
  void Draw(const std::vector<Line>& lines, Size size);

  struct Event {
    std::string input;     // bytes typed ("" for none)
    bool resized = false;  // the window changed size
    bool stop = false;     // SIGTERM/SIGHUP/SIGINT, or the terminal went away
  };
  // Waits up to timeout for input or a signal.
  Event Wait(std::chrono::milliseconds timeout);

 private:
  Terminal(int in_fd, int out_fd, const termios& saved, const sigset_t& saved_mask);
  void Write(const std::string& bytes) const;

  const int in_fd_;
  const int out_fd_;
  const termios saved_;
  const sigset_t saved_mask_;
  struct sigaction saved_actions_[4];
};

}  // namespace dbinsight::top
