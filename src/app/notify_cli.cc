#include "app/notify_cli.h"

#include <fmt/format.h>

#include "common/clock.h"
#include "notify/options.h"
#include "notify/outbox.h"
#include "notify/types.h"

namespace dbinsight::app {

namespace {

Result<std::unique_ptr<notify::Outbox>> OpenOutbox(const std::string& store_directory) {
  // ARNs are stored with the deliveries; region/account only name new topics.
  const notify::NotifyOptions defaults;
  return notify::Outbox::Open(store_directory + "/notify.sqlite3", defaults.region, defaults.account_id);
}

}  // namespace

Status ListDeadLetters(const std::string& store_directory, std::ostream& out) {
  auto outbox = OpenOutbox(store_directory);
  if (!outbox.ok()) return outbox.status();
  auto dead = outbox.value()->DeadLetters();
  if (!dead.ok()) return dead.status();
  for (const notify::DeadLetter& d : dead.value()) {
    out << fmt::format("{}  {}  {}  attempts={}  last_error={}\n", d.message_id, d.topic_arn,
                       notify::RedactEndpoint(d.subscription.endpoint), d.attempts, d.last_error);
  }
  out << dead->size() << " dead deliveries\n";
  return Status::Ok();
}

Status RedriveDeadLetters(const std::string& store_directory, const std::optional<std::string>& message_id,
                          std::ostream& out) {
  auto outbox = OpenOutbox(store_directory);
  if (!outbox.ok()) return outbox.status();
  SystemClock clock;
  auto n = outbox.value()->Redrive(message_id, clock.Now());
  if (!n.ok()) return n.status();
  out << n.value() << " deliveries queued again\n";
  return Status::Ok();
}

}  // namespace dbinsight::app
