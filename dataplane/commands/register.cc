// The one place that lists every command family.
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {

void RegisterAllCommands(CommandTable& table) {
  RegisterConnectionFamily(table);
  RegisterStringFamily(table);
}

}  // namespace cairn::commands
