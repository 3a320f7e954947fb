// Text codec for detector state (model.h, scorer.h): whitespace-separated
// tokens, doubles in shortest round-trip form so a decoded model predicts
// bit-identically. Internal to anomaly/. Free functions, no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dbinsight::anomaly::codec {

void PutDouble(std::string& out, double v);
void PutInt(std::string& out, int64_t v);
void PutWord(std::string& out, std::string_view word);

// Each Take* consumes one token from the front of `in`. `what` names the
// field in the error message (InvalidArgument on a missing or bad token).
Status TakeDouble(std::string_view& in, std::string_view what, double& v);
Status TakeInt(std::string_view& in, std::string_view what, int64_t& v);
Status ExpectWord(std::string_view& in, std::string_view word);
// InvalidArgument unless only whitespace is left.
Status ExpectEnd(std::string_view in);

}  // namespace dbinsight::anomaly::codec
