// Process memory figures for INFO memory and maxmemory: allocator-reported bytes in use and the
// resident set size.
#pragma once

#include <cstddef>
#include <string>

namespace cairn {

// Bytes currently allocated through malloc, as the allocator reports them (jemalloc's counters
// when linked; the sanitizer's or glibc's otherwise). Cheap enough to call per command.
size_t AllocatedBytes();
// Resident set size in bytes, from /proc/self/statm (0 if unreadable).
size_t ResidentBytes();
// Name and version of the allocator in use, e.g. "jemalloc-5.3.0" or "libc".
std::string AllocatorName();
// Lets the allocator return unused memory to the OS (MEMORY PURGE). No-op without jemalloc.
void PurgeAllocator();
// Turns jemalloc's background threads on or off (Redis's jemalloc-bg-thread, default yes): with
// them, dirty pages are purged off the command thread instead of inside a malloc/free call.
// Returns false when the allocator refused; a no-op returning true without jemalloc.
bool SetAllocatorBackgroundThread(bool on);

}  // namespace cairn
