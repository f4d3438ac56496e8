// Node ids.
#include "controlplane/model/node.h"

#include <fmt/format.h>

namespace cairn::controlplane {

std::string ShardId(int shard) {
  return fmt::format("{:04d}", shard);
}

std::string NodeId(std::string_view cluster, std::string_view shard_id, int ordinal) {
  return fmt::format("{}-{}-{:03d}", cluster, shard_id, ordinal);
}

std::string NodeId(std::string_view cluster, int shard, int ordinal) {
  return NodeId(cluster, ShardId(shard), ordinal);
}

}  // namespace cairn::controlplane
