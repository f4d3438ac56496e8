// Keyspace notification classes (notify-keyspace-events), as Redis's NOTIFY_* flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::commands {

enum NotifyClass : uint32_t {
  kNotifyKeyspace = 1 << 0,  // K
  kNotifyKeyevent = 1 << 1,  // E
  kNotifyGeneric = 1 << 2,   // g
  kNotifyString = 1 << 3,    // $
  kNotifyList = 1 << 4,      // l
  kNotifySet = 1 << 5,       // s
  kNotifyHash = 1 << 6,      // h
  kNotifyZset = 1 << 7,      // z
  kNotifyExpired = 1 << 8,   // x
  kNotifyEvicted = 1 << 9,   // e
  kNotifyStream = 1 << 10,   // t
  kNotifyKeyMiss = 1 << 11,  // m
  kNotifyModule = 1 << 12,   // d
  kNotifyNew = 1 << 13,      // n
  // A: every class but key-miss and new (and module).
  kNotifyAll = kNotifyGeneric | kNotifyString | kNotifyList | kNotifySet | kNotifyHash |
               kNotifyZset | kNotifyExpired | kNotifyEvicted | kNotifyStream | kNotifyModule,
};

// Parses a notify-keyspace-events value ("KEA", "Ex", ""); nullopt on an unknown character.
std::optional<uint32_t> ParseNotifyFlags(std::string_view text);
// Prints flags as Redis's CONFIG GET does (keyspaceEventsFlagsToString).
std::string NotifyFlagsToString(uint32_t flags);

}  // namespace cairn::commands
