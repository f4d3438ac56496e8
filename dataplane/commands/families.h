// Registration entry points of the command families (one explicit call each, STYLE.md §4).
#pragma once

#include "dataplane/commands/command_table.h"

namespace cairn::commands {

void RegisterConnectionFamily(CommandTable& table);
void RegisterStringFamily(CommandTable& table);
void RegisterBitmapFamily(CommandTable& table);
void RegisterGenericFamily(CommandTable& table);
void RegisterServerFamily(CommandTable& table);
void RegisterClientFamily(CommandTable& table);
void RegisterTransactionFamily(CommandTable& table);
void RegisterPubSubFamily(CommandTable& table);
void RegisterReplicationFamily(CommandTable& table);
void RegisterDumpFamily(CommandTable& table);
void RegisterListFamily(CommandTable& table);
void RegisterHashFamily(CommandTable& table);
void RegisterSetFamily(CommandTable& table);
void RegisterZSetFamily(CommandTable& table);
void RegisterStreamFamily(CommandTable& table);
void RegisterScriptingFamily(CommandTable& table);
void RegisterFunctionFamily(CommandTable& table);
void RegisterGeoFamily(CommandTable& table);
void RegisterSortFamily(CommandTable& table);
void RegisterAclFamily(CommandTable& table);
void RegisterHyperLogLogFamily(CommandTable& table);

}  // namespace cairn::commands
