// DUMP / RESTORE payloads, byte-compatible with Redis 7.0 so they move between cairn-server and
// redis-server both ways:
//
//   <RDB type byte> <RDB value> <RDB version: 2 bytes LE> <CRC-64 of everything before: 8 bytes LE>
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/engine/entry.h"

namespace cairn::persistence {

// The payload for e's value (strings int/LZF encoded as in RDB files when `compression`).
// Errors: FailedPrecondition for a type without a codec.
Result<std::string> DumpPayload(const engine::Entry& e, bool compression);

// A new entry for `key` from `payload`, validated fully: the footer's RDB version must be one we
// load (<= 10) and the CRC must match (Redis's verifyDumpPayload), and the value must decode and
// consume the body exactly. Errors (InvalidArgument, the RESTORE reply text): "ERR DUMP payload
// version or checksum are wrong", "ERR Bad data format".
Result<engine::Entry*> ParseDumpPayload(std::string_view payload, std::string_view key,
                                        bool has_expire, int64_t expire_at_ms);

// FUNCTION DUMP: each library code as a FUNCTION2 record, then the payload footer (RDB version,
// CRC-64), as Redis 7.0 writes it.
std::string DumpFunctionsPayload(const std::vector<std::string>& codes, bool compression);
// FUNCTION RESTORE: the library codes of a payload. Errors (reply texts): "ERR payload version
// or checksum are wrong", "ERR given type is not a function", "ERR Bad data format".
Result<std::vector<std::string>> ParseFunctionsPayload(std::string_view payload);

}  // namespace cairn::persistence
