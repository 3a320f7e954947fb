// DBI_CHECK: stops the process on a broken invariant (ARCHITECTURE notes C5).
// Likely failures are Status values; this is only for "cannot happen".
#pragma once

namespace dbinsight::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line);
}

#define DBI_CHECK(cond) \
  ((cond) ? (void)0 : ::dbinsight::internal::CheckFailed(#cond, __FILE__, __LINE__))
