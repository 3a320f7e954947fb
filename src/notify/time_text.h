// The time spellings notify/ messages use. Pure functions (UTC); thread-safe.
#pragma once

#include <string>

#include "common/clock.h"

namespace dbinsight::notify {

// "2023-11-14T22:13:20.123Z": the SNS envelope's Timestamp.
std::string IsoTime(WallTime t);
// "Tue, 14 Nov 2023 22:13:20 +0000": an e-mail Date header (RFC 5322).
std::string MailDate(WallTime t);
// "2023-11-14 22:13:20 UTC": times in text people read.
std::string ReadableTime(WallTime t);

}  // namespace dbinsight::notify
