// Allocator statistics. jemalloc's per-thread counters are read through pointers that mallctl
// hands out once, so a reading costs two loads; the command thread does (nearly) all allocation.
#include "dataplane/base/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#ifdef CAIRN_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAIRN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CAIRN_ASAN 1
#endif
#ifdef CAIRN_ASAN
// From the sanitizer runtime's allocator interface (its header ships with clang, not gcc).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace cairn {

#ifdef CAIRN_HAVE_JEMALLOC
namespace {

struct JemallocCounters {
  uint64_t* allocated = nullptr;
  uint64_t* deallocated = nullptr;
  size_t baseline = 0;  // bytes allocated before the counters were read (other threads, startup)
  JemallocCounters() {
    size_t sz = sizeof(uint64_t*);
    mallctl("thread.allocatedp", &allocated, &sz, nullptr, 0);
    sz = sizeof(uint64_t*);
    mallctl("thread.deallocatedp", &deallocated, &sz, nullptr, 0);
    uint64_t epoch = 1;
    sz = sizeof(epoch);
    mallctl("epoch", &epoch, &sz, &epoch, sz);
    size_t total = 0;
    sz = sizeof(total);
    mallctl("stats.allocated", &total, &sz, nullptr, 0);
    size_t thread_now = static_cast<size_t>(*allocated - *deallocated);
    baseline = total > thread_now ? total - thread_now : 0;
  }
};

}  // namespace

size_t AllocatedBytes() {
  static thread_local JemallocCounters counters;
  return counters.baseline + static_cast<size_t>(*counters.allocated - *counters.deallocated);
}

std::string AllocatorName() {
  const char* version = nullptr;
  size_t sz = sizeof(version);
  if (mallctl("version", &version, &sz, nullptr, 0) == 0 && version != nullptr) {
    std::string v(version);
    return "jemalloc-" + v.substr(0, v.find('-'));
  }
  return "jemalloc";
}

void PurgeAllocator() {
  char cmd[64];
  std::snprintf(cmd, sizeof(cmd), "arena.%d.purge", 4096);  // MALLCTL_ARENAS_ALL
  mallctl(cmd, nullptr, nullptr, nullptr, 0);
}

bool SetAllocatorBackgroundThread(bool on) {
  return mallctl("background_thread", nullptr, nullptr, &on, sizeof(on)) == 0;
}

#else

size_t AllocatedBytes() {
#ifdef CAIRN_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
#endif
}

std::string AllocatorName() {
  return "libc";
}

void PurgeAllocator() {
  malloc_trim(0);
}

bool SetAllocatorBackgroundThread(bool) {
  return true;
}

#endif

size_t ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) {
    return 0;
  }
  unsigned long pages_total = 0;
  unsigned long pages_resident = 0;
  int n = std::fscanf(f, "%lu %lu", &pages_total, &pages_resident);
  std::fclose(f);
  if (n != 2) {
    return 0;
  }
  return static_cast<size_t>(pages_resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace cairn
