// DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA1-based digests of the dataset and of single values,
// computed the way Redis 7.0 computes them (debug.c) so that two servers holding the same data
// report the same digest, whichever of them is Redis.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "dataplane/engine/db.h"
#include "dataplane/engine/entry.h"
#include "dataplane/engine/keyspace.h"

namespace cairn::commands {

using Digest = std::array<uint8_t, 20>;

// The digest of `entry`'s value, its type and whether it has a TTL (not its key). Logically
// expired entries still count, as in Redis.
Digest ValueDigest(const engine::Entry& entry);

// The digest of every database: all zeros when the dataset is empty.
Digest DatasetDigest(engine::Keyspace& keyspace);

// 40 lower-case hex digits.
std::string DigestHex(const Digest& digest);

}  // namespace cairn::commands
