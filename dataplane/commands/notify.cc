// notify-keyspace-events parsing and printing (Redis's keyspaceEventsStringToFlags and back).
#include "dataplane/commands/notify.h"

namespace cairn::commands {

std::optional<uint32_t> ParseNotifyFlags(std::string_view text) {
  uint32_t flags = 0;
  for (char c : text) {
    switch (c) {
      case 'A':
        flags |= kNotifyAll;
        break;
      case 'g':
        flags |= kNotifyGeneric;
        break;
      case '$':
        flags |= kNotifyString;
        break;
      case 'l':
        flags |= kNotifyList;
        break;
      case 's':
        flags |= kNotifySet;
        break;
      case 'h':
        flags |= kNotifyHash;
        break;
      case 'z':
        flags |= kNotifyZset;
        break;
      case 'x':
        flags |= kNotifyExpired;
        break;
      case 'e':
        flags |= kNotifyEvicted;
        break;
      case 'K':
        flags |= kNotifyKeyspace;
        break;
      case 'E':
        flags |= kNotifyKeyevent;
        break;
      case 't':
        flags |= kNotifyStream;
        break;
      case 'm':
        flags |= kNotifyKeyMiss;
        break;
      case 'd':
        flags |= kNotifyModule;
        break;
      case 'n':
        flags |= kNotifyNew;
        break;
      default:
        return std::nullopt;
    }
  }
  return flags;
}

std::string NotifyFlagsToString(uint32_t flags) {
  std::string out;
  if ((flags & kNotifyAll) == kNotifyAll) {
    out += 'A';
  } else {
    if (flags & kNotifyGeneric)
      out += 'g';
    if (flags & kNotifyString)
      out += '$';
    if (flags & kNotifyList)
      out += 'l';
    if (flags & kNotifySet)
      out += 's';
    if (flags & kNotifyHash)
      out += 'h';
    if (flags & kNotifyZset)
      out += 'z';
    if (flags & kNotifyExpired)
      out += 'x';
    if (flags & kNotifyEvicted)
      out += 'e';
    if (flags & kNotifyStream)
      out += 't';
    if (flags & kNotifyModule)
      out += 'd';
    // Redis prints 'n' only here, so "An" reads back as "A" (the flag itself is kept).
    if (flags & kNotifyNew)
      out += 'n';
  }
  if (flags & kNotifyKeyspace)
    out += 'K';
  if (flags & kNotifyKeyevent)
    out += 'E';
  if (flags & kNotifyKeyMiss)
    out += 'm';
  return out;
}

}  // namespace cairn::commands
