// Helpers shared by the Store's per-resource files. Not part of the store's interface.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

namespace cairn::controlplane {

void SetTimestamp(int64_t ms, google::protobuf::Timestamp* ts);

}  // namespace cairn::controlplane
