// The catalog of what can be provisioned: node types (ElastiCache's cache.* sizes).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

struct NodeType {
  std::string_view name;
  // Becomes the node's maxmemory and counts against the host's capacity, bytes.
  int64_t memory_bytes;
};

// Every node type, smallest first: cache.small 256 MiB, cache.medium 1 GiB, cache.large 4 GiB,
// cache.xlarge 16 GiB.
std::span<const NodeType> NodeTypes();

// The node type called `name`; InvalidArgument naming `field` and the valid names otherwise.
Result<NodeType> FindNodeType(std::string_view field, std::string_view name);

}  // namespace cairn::controlplane
