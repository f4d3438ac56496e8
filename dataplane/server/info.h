// INFO sections owned by the server layer: server, clients, memory, persistence, stats,
// replication, cpu, commandstats, errorstats, keyspace (Redis's field names).
#pragma once

#include <cstdint>
#include <string>

namespace cairn::server {

class Server;

// Registers the sections with the server state, in Redis's order.
void RegisterInfoSections(Server& server);

// Appends one INFO line "name:value\r\n".
void InfoField(std::string& out, const char* name, const std::string& value);
void InfoField(std::string& out, const char* name, int64_t value);

}  // namespace cairn::server
