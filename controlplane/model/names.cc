// Resource name validation.
#include "controlplane/model/names.h"

#include <string>

namespace cairn::controlplane {

Status ValidateName(std::string_view field, std::string_view name) {
  std::string prefix = std::string(field) + ": ";
  if (name.empty()) {
    return Status::InvalidArgument(prefix + "must not be empty");
  }
  if (name.size() > kMaxNameLength) {
    return Status::InvalidArgument(prefix + "must be at most 40 characters, got " +
                                   std::to_string(name.size()));
  }
  if (name[0] < 'a' || name[0] > 'z') {
    return Status::InvalidArgument(prefix + "must start with a lowercase letter");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) {
      return Status::InvalidArgument(prefix +
                                     "may contain only lowercase letters, digits and hyphens");
    }
  }
  if (name.back() == '-') {
    return Status::InvalidArgument(prefix + "must not end with a hyphen");
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
