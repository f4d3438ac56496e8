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

Status ValidateSnapshotName(std::string_view field, std::string_view name) {
  auto fail = [&](const char* rule) {
    return Status::InvalidArgument(std::string(field) + ": " + rule + ", got \"" +
                                   std::string(name) + "\"");
  };
  if (name.empty() || name.size() > 255) {
    return fail("must be 1 to 255 characters");
  }
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(name[0])) {
    return fail("must start with a letter");
  }
  for (char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') {
      return fail("may hold only letters, digits, hyphens and dots");
    }
  }
  return Status::Ok();
}

}  // namespace cairn::controlplane
