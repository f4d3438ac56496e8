// Node ids.
#include "controlplane/model/node.h"

#include <fmt/format.h>

namespace cairn::controlplane {

std::string ShardId(int shard) { return fmt::format("{:04d}", shard); }

std::string NodeId(std::string_view cluster, int shard, int ordinal) {
  return fmt::format("{}-{:04d}-{:03d}", cluster, shard, ordinal);
}

}  // namespace cairn::controlplane
