// notify_outbox_driver: the process delivery_integration_test kills with
// SIGKILL while messages sit in its outbox. Usage:
//   notify_outbox_driver <outbox file> <webhook url> <count>
// Creates topic "crash", subscribes the URL (SNS envelope), publishes <count>
// messages printing each MessageId, prints "published", then runs the
// delivery loop (the test keeps the receiver down, so it retries) until killed.
#include <cstdio>
#include <string>

#include "common/clock.h"
#include "notify/deliverer.h"
#include "notify/outbox.h"
#include "notify/smtp/smtp_transport.h"
#include "notify/webhook/webhook_transport.h"

using namespace dbinsight;  // NOLINT: a test program

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <outbox file> <webhook url> <count>\n", argv[0]);
    return 2;
  }
  SystemClock clock;
  auto outbox = notify::Outbox::Open(argv[1], "us-east-1", "000000000000");
  if (!outbox.ok()) {
    std::fprintf(stderr, "%s\n", outbox.status().ToString().c_str());
    return 1;
  }
  auto topic = outbox.value()->CreateTopic("crash", clock.Now());
  auto sub =
      outbox.value()->Subscribe(topic->arn, notify::Protocol::kHttp, argv[2], notify::WebhookFormat::kSns, clock.Now());
  if (!sub.ok()) return 1;
  for (int i = 0; i < std::stoi(argv[3]); ++i) {
    auto id = outbox.value()->Publish(topic->arn, {"crash test", "message " + std::to_string(i), {}, ""}, clock.Now());
    if (!id.ok()) return 1;
    std::printf("%s\n", id->c_str());
  }
  std::printf("published\n");
  std::fflush(stdout);
  notify::RetryOptions retry;
  retry.base_delay = std::chrono::milliseconds(20);
  retry.max_delay = std::chrono::milliseconds(100);
  retry.max_attempts = 1'000'000;
  notify::DeliveryOptions delivery;
  delivery.poll_interval = std::chrono::milliseconds(20);
  auto email = notify::smtp::SmtpTransport::Create({});
  notify::webhook::WebhookTransport webhook({});
  notify::Deliverer deliverer(*outbox.value(), *email.value(), webhook, retry, delivery);
  std::stop_source never;
  deliverer.Run(clock, never.get_token());
  return 0;
}
