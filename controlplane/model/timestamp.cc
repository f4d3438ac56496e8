// Timestamp conversions.
#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {

void SetTimestamp(int64_t unix_ms, google::protobuf::Timestamp* ts) {
  ts->set_seconds(unix_ms / 1000);
  ts->set_nanos(static_cast<int32_t>((unix_ms % 1000) * 1'000'000));
}

int64_t TimestampMs(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000 + ts.nanos() / 1'000'000;
}

}  // namespace cairn::controlplane
