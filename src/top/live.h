// The two ways `dbinsight top` runs: RunInteractive, the live screen (a
// sampling thread feeds a LoadWindow; the UI thread redraws every refresh,
// on a key and on a resize), and PrintSnapshot, a few samples then one plain
// frame for scripts and non-terminal output.
//
// Ownership: borrows the sampler and clock for the duration of the call.
// Thread-safety: RunInteractive drives the sampler from its own thread only
// (it is never called concurrently); call it from main() before starting
// other threads, since it blocks the terminal's signals in the caller.
#pragma once

#include <chrono>
#include <ostream>

#include "collect/sampler.h"
#include "common/clock.h"
#include "common/status.h"
#include "top/layout.h"

namespace dbinsight::top {

struct LiveOptions {
  // How far back loads are averaged. Default: 10 s, long enough to steady
  // one-second samples, short enough to follow a change within seconds.
  std::chrono::milliseconds window{10'000};
  // Time between screen refreshes. Default: 1 s.
  std::chrono::milliseconds refresh{1000};
  // Time between samples (the instance's sample_interval). Default: 1 s.
  std::chrono::milliseconds interval{1000};
};

// Runs the live screen on the terminal in_fd/out_fd until q, Ctrl-C, SIGTERM
// or SIGHUP. header: the instance's facts; its version and error follow the
// samples. InvalidArgument when the fds are not a terminal.
Status RunInteractive(collect::Sampler& sampler, Clock& clock, Header header, const LiveOptions& options, int in_fd,
                      int out_fd);

// Takes `samples` samples `options.interval` apart and writes one frame of
// `width` columns (all rows) to out. Unavailable, with the last error, when
// no sample succeeded.
Status PrintSnapshot(collect::Sampler& sampler, Clock& clock, Header header, const LiveOptions& options, int samples,
                     int width, std::ostream& out);

}  // namespace dbinsight::top
