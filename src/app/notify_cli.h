// `dbinsight notify dead-letters|redrive --store DIR`: the dead-letter queue
// of the notification outbox from the command line (the same as GET
// /notify/dead-letters and POST /notify/redrive on a running server). Safe
// while the server runs: the outbox is SQLite in WAL mode, and the delivery
// loop picks re-driven messages up on its next poll.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "common/status.h"

namespace dbinsight::app {

// Prints one line per dead delivery: message id, topic, endpoint, attempts,
// last error.
Status ListDeadLetters(const std::string& store_directory, std::ostream& out);
// Makes the dead deliveries of one message (or all) pending again; prints
// how many.
Status RedriveDeadLetters(const std::string& store_directory, const std::optional<std::string>& message_id,
                          std::ostream& out);

}  // namespace dbinsight::app
