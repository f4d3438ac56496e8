// Pub/Sub commands. (Being written; registration is wired already.)
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"

namespace cairn::commands {

void RegisterPubSubFamily(CommandTable& table) { (void)table; }

}  // namespace cairn::commands
