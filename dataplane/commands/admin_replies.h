// Reply helpers shared by the server and client families: HELP texts and the subcommand syntax
// error, in Redis 7.0's formats.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "dataplane/base/errors.h"
#include "dataplane/protocol/reply_writer.h"

namespace cairn::commands {

// A HELP reply as Redis's addReplyHelp writes it: "<COMMAND> <subcommand> [<arg> [value] [opt]
// ...]. Subcommands are:", the given lines, then HELP's own two lines, each a simple string.
inline void ReplyHelp(protocol::ReplyWriter& r, std::string_view command,
                      std::initializer_list<std::string_view> lines) {
  r.ArrayHeader(static_cast<int64_t>(lines.size()) + 3);
  r.Simple(std::string(command) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) {
    r.Simple(line);
  }
  r.Simple("HELP");
  r.Simple("    Prints this help.");
}

// "ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <COMMAND> HELP."
// (addReplySubcommandSyntaxError), `sub` as the client typed it.
inline std::string SubcommandSyntaxError(std::string_view sub, std::string_view command) {
  std::string error = kErrSubcommandSyntaxPrefix;
  error.append(sub.substr(0, 128));
  error += "'. Try ";
  error += command;
  error += " HELP.";
  return error;
}

}  // namespace cairn::commands
