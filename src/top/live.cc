// The live screen and the snapshot of `dbinsight top`; see live.h.
#include "top/live.h"

#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "top/load_window.h"
#include "top/terminal.h"

namespace dbinsight::top {

namespace {

// One sampling attempt: a sample, or the reason there is none.
struct Taken {
  std::optional<model::Sample> sample;
  std::string error;    // redacted by the sampler
  std::string version;  // the server's, as of this attempt
};

Taken TakeOne(collect::Sampler& sampler, Clock& clock) {
  Taken t;
  auto sample = sampler.SampleOnce(clock.Now());
  if (sample.ok()) {
    t.sample = std::move(sample).value();
  } else {
    t.error = sample.status().message();
    sampler.Reset();  // the connection's state is unknown after a failure
  }
  t.version = sampler.Facts().version;
  return t;
}

void Apply(Taken t, LoadWindow& window, Header& header) {
  if (!t.version.empty()) header.version = std::move(t.version);
  header.error = std::move(t.error);
  if (t.sample) window.Add(*t.sample);
}

// The next tick after `next`, skipping ticks already missed (a slow sample
// must not cause a burst of catch-up samples).
MonoTime NextTick(MonoTime next, std::chrono::milliseconds every, MonoTime now) {
  next += every;
  return next < now ? now + every : next;
}

// Samples on its own thread, so a slow or unreachable server never delays
// the keyboard; the UI thread takes what it gathered at each refresh.
class Feed {
 public:
  Feed(collect::Sampler& sampler, Clock& clock, std::chrono::milliseconds interval)
      : thread_([this, &sampler, &clock, interval](std::stop_token stop) {
          for (MonoTime next = clock.Monotonic(); !stop.stop_requested();) {
            Taken t = TakeOne(sampler, clock);
            {
              std::lock_guard lock(mu_);
              inbox_.push_back(std::move(t));
            }
            next = NextTick(next, interval, clock.Monotonic());
            if (!clock.SleepUntil(next, stop)) break;
          }
        }) {}

  std::vector<Taken> Drain() {
    std::lock_guard lock(mu_);
    return std::exchange(inbox_, {});
  }

 private:
  std::mutex mu_;
  std::vector<Taken> inbox_;
  std::jthread thread_;  // last: stopped and joined before the inbox goes
};

}  // namespace

Status RunInteractive(collect::Sampler& sampler, Clock& clock, Header header, const LiveOptions& options, int in_fd,
                      int out_fd) {
  auto term = Terminal::Open(in_fd, out_fd);
  if (!term.ok()) return term.status();
  std::unique_ptr<Terminal> terminal = std::move(term).value();
  Feed feed(sampler, clock, options.interval);  // after Open: the thread inherits the blocked signals
  LoadWindow window(options.window);
  ViewState state;
  KeyDecoder keys;
  MonoTime next_refresh = clock.Monotonic();
  bool draw = true;
  while (!state.quit) {
    MonoTime now = clock.Monotonic();
    if (now >= next_refresh) {
      // Paused: the screen keeps its data; what was sampled meanwhile is dropped.
      for (Taken& t : feed.Drain())
        if (!state.paused) Apply(std::move(t), window, header);
      next_refresh = NextTick(next_refresh, options.refresh, now);
      draw = true;
    }
    if (draw) {
      const Size size = terminal->size();
      terminal->Draw(Render(header, window, state, size, true), size);
      draw = false;
    }
    // Rounded up: waking a little early would only spin until the refresh is due.
    const Terminal::Event event =
        terminal->Wait(std::chrono::ceil<std::chrono::milliseconds>(next_refresh - clock.Monotonic()));
    if (event.stop) break;
    draw = event.resized;
    for (const int key : keys.Decode(event.input)) draw |= HandleKey(state, key);
  }
  terminal.reset();  // the screen comes back before the sampler thread is joined
  return Status::Ok();
}

Status PrintSnapshot(collect::Sampler& sampler, Clock& clock, Header header, const LiveOptions& options, int samples,
                     int width, std::ostream& out) {
  LoadWindow window(options.window);
  MonoTime next = clock.Monotonic();
  for (int i = 0; i < samples; ++i) {
    if (i > 0) {
      next = NextTick(next, options.interval, clock.Monotonic());
      clock.SleepUntil(next, std::stop_token());
    }
    Apply(TakeOne(sampler, clock), window, header);
  }
  if (window.samples() == 0) return Status::Unavailable(header.error);
  // No height limit: a script gets every row.
  for (const Line& line : Render(header, window, ViewState{}, {width, 1 << 20}, false)) out << line.text << "\n";
  return Status::Ok();
}

}  // namespace dbinsight::top
