// Resource names: validation shared by every resource kind (ARCHITECTURE.md §4).
#pragma once

#include <string_view>

#include "dataplane/base/status.h"

namespace cairn::controlplane {

inline constexpr size_t kMaxNameLength = 40;

// Checks a resource name: 1-40 characters of lowercase letters, digits and hyphens, starting with
// a letter and not ending with a hyphen (DNS label rules). `field` names the field in the error
// ("cluster.name"). Returns InvalidArgument with a message naming the field and the rule broken.
Status ValidateName(std::string_view field, std::string_view name);

// Checks a snapshot name (ElastiCache's rule): 1-255 letters, digits, hyphens and dots, starting
// with a letter. InvalidArgument naming `field` otherwise.
Status ValidateSnapshotName(std::string_view field, std::string_view name);

}  // namespace cairn::controlplane
