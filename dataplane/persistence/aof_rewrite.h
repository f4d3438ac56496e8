// Writing a dataset as AOF commands: the base file of a rewrite when aof-use-rdb-preamble is no,
// as Redis 7.0's rewriteAppendOnlyFileRio writes it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::persistence {

// Writes `keyspace` as commands through `sink` (called with chunks of about 64 KB): FUNCTION LOAD
// for each library code in `functions`, then per non-empty db a SELECT and each key not expired
// at `now_ms` as SET / RPUSH / SADD / HSET / ZADD (at most 64 items per command, as Redis's
// AOF_REWRITE_ITEMS_PER_CMD), plus PEXPIREAT for a TTL. Streams are written as RESTORE with
// their DUMP payload (Redis loads that too; it keeps consumer groups and PELs exact).
// Errors: the sink's, or a value type without a codec.
Status WriteKeyspaceAsCommands(engine::Keyspace& keyspace, int64_t now_ms,
                               const std::vector<std::string>& functions,
                               const std::function<Status(std::string_view)>& sink);

}  // namespace cairn::persistence
