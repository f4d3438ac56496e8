// Short documentation of every Redis 7.0 command for COMMAND DOCS: a one-line summary (our
// own words), the version that introduced it, its group and, where it is a plain formula, its
// time complexity.
#pragma once

#include <string_view>

namespace cairn::commands {

struct CommandDoc {
  std::string_view summary;
  std::string_view since;
  std::string_view group;
  std::string_view complexity;  // empty: not given
};

// The doc of a full command name ("get", "config|get"); nullptr when unknown.
const CommandDoc* FindCommandDoc(std::string_view full_name);

}  // namespace cairn::commands
