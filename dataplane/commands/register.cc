// The one place that lists every command family.
#include "dataplane/commands/command_table.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {

void RegisterAllCommands(CommandTable& table) {
  RegisterConnectionFamily(table);
  RegisterStringFamily(table);
  RegisterBitmapFamily(table);
  RegisterGenericFamily(table);
  RegisterServerFamily(table);
  RegisterClientFamily(table);
  RegisterTransactionFamily(table);
  RegisterPubSubFamily(table);
  RegisterReplicationFamily(table);
  RegisterDumpFamily(table);
  RegisterListFamily(table);
  RegisterHashFamily(table);
  RegisterSetFamily(table);
  RegisterZSetFamily(table);
  RegisterStreamFamily(table);
  RegisterScriptingFamily(table);
  RegisterFunctionFamily(table);
  RegisterGeoFamily(table);
  RegisterSortFamily(table);
  RegisterAclFamily(table);
  RegisterHyperLogLogFamily(table);
}

}  // namespace cairn::commands
