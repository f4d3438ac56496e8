// Conversions between unix milliseconds (how the store keeps time) and protobuf Timestamps.
#pragma once

#include <cstdint>

#include <google/protobuf/timestamp.pb.h>

namespace cairn::controlplane {

void SetTimestamp(int64_t unix_ms, google::protobuf::Timestamp* ts);
int64_t TimestampMs(const google::protobuf::Timestamp& ts);

}  // namespace cairn::controlplane
