// INFO sections owned by the server layer: server, clients, memory, persistence, stats,
// replication, cpu, commandstats, errorstats, keyspace (Redis's field names).
#pragma once

namespace cairn::server {

class Server;

// Registers the sections with the server state, in Redis's order.
void RegisterInfoSections(Server& server);

}  // namespace cairn::server
