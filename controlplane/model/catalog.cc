// Node types.
#include "controlplane/model/catalog.h"

#include <array>
#include <string>

namespace cairn::controlplane {
namespace {

constexpr int64_t kMiB = int64_t{1} << 20;
constexpr std::array<NodeType, 4> kNodeTypes = {{
    {"cache.small", 256 * kMiB},
    {"cache.medium", 1024 * kMiB},
    {"cache.large", 4096 * kMiB},
    {"cache.xlarge", 16384 * kMiB},
}};

}  // namespace

std::span<const NodeType> NodeTypes() {
  return kNodeTypes;
}

Result<NodeType> FindNodeType(std::string_view field, std::string_view name) {
  std::string names;
  for (const NodeType& type : kNodeTypes) {
    if (type.name == name) {
      return type;
    }
    names += names.empty() ? "" : ", ";
    names += type.name;
  }
  return Status::InvalidArgument(std::string(field) + ": unknown node type \"" + std::string(name) +
                                 "\" (one of: " + names + ")");
}

}  // namespace cairn::controlplane
