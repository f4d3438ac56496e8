// Introspection commands of the generic family (Redis 7.0 object.c): OBJECT ENCODING, FREQ,
// IDLETIME, REFCOUNT, HELP and MEMORY USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#ifdef CAIRN_HAVE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

#include "dataplane/base/errors.h"
#include "dataplane/base/memory.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/engine/keyspace_ops.h"

namespace cairn::commands {
namespace {

namespace keys = engine::keys;

// Redis shares one object per integer 0..9999 (OBJ_SHARED_INTEGERS); OBJECT REFCOUNT reports
// INT_MAX (OBJ_SHARED_REFCOUNT) for them.
constexpr int64_t kSharedIntegers = 10000;
constexpr int64_t kSharedRefcount = INT_MAX;

// Replies Redis's addReplyHelp: a header line, the lines, then HELP.
void ReplyHelp(CommandContext& ctx, std::string_view command,
               std::initializer_list<std::string_view> lines) {
  protocol::ReplyWriter& r = ctx.reply();
  r.ArrayHeader(static_cast<int64_t>(lines.size()) + 3);
  r.Simple(std::string(command) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view line : lines) {
    r.Simple(line);
  }
  r.Simple("HELP");
  r.Simple("    Prints this help.");
}

bool PolicyIsLfu(engine::EvictionPolicy p) {
  return p == engine::EvictionPolicy::kAllKeysLfu || p == engine::EvictionPolicy::kVolatileLfu;
}

bool PolicyIsLru(engine::EvictionPolicy p) {
  return p == engine::EvictionPolicy::kAllKeysLru || p == engine::EvictionPolicy::kVolatileLru;
}

// OBJECT subcommands look keys up without touching the access clock and without "keymiss"
// events (objectCommandLookup); a missing key replies null. nullptr after that reply.
engine::Entry* ObjectLookup(CommandContext& ctx) {
  engine::Entry* e =
      ctx.db().LookupRead(ctx.arg(2), engine::Db::kLookupNoTouch | engine::Db::kLookupNoNotify);
  if (e == nullptr) {
    ctx.reply().Null();
  }
  return e;
}

// OBJECT ENCODING key
void CmdObjectEncoding(CommandContext& ctx) {
  if (engine::Entry* e = ObjectLookup(ctx)) {
    ctx.reply().Bulk(engine::EncodingName(e->encoding()));
  }
}

// OBJECT FREQ key: the decayed LFU counter; an error unless an LFU policy is set.
void CmdObjectFreq(CommandContext& ctx) {
  engine::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) {
    return;
  }
  if (!PolicyIsLfu(ctx.keyspace().config().policy)) {
    ctx.reply().Error(kErrLfuNotSelected);
    return;
  }
  ctx.reply().Integer(ctx.keyspace().LfuCount(e));
}

// OBJECT IDLETIME key: seconds since the last access; an error under an LFU policy.
void CmdObjectIdleTime(CommandContext& ctx) {
  engine::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) {
    return;
  }
  if (PolicyIsLfu(ctx.keyspace().config().policy)) {
    ctx.reply().Error(kErrLfuSelected);
    return;
  }
  ctx.reply().Integer(ctx.keyspace().IdleSeconds(e));
}

// OBJECT REFCOUNT key. Values are never shared here; Redis shares an int-encoded 0..9999 unless
// maxmemory is set with an LRU/LFU policy (it needs a clock per key), and reports INT_MAX for the
// shared ones. That decision is made at write time in Redis and at query time here, so the two
// differ only if the policy changed since the write, or for a COPY of a small integer (Redis's
// copy is unshared: 1).
void CmdObjectRefcount(CommandContext& ctx) {
  engine::Entry* e = ObjectLookup(ctx);
  if (e == nullptr) {
    return;
  }
  const engine::KeyspaceConfig& config = ctx.keyspace().config();
  bool shareable =
      config.maxmemory_bytes == 0 || !(PolicyIsLfu(config.policy) || PolicyIsLru(config.policy));
  if (shareable && e->type() == engine::ValueType::kString &&
      e->encoding() == engine::Encoding::kInt) {
    std::optional<int64_t> v = ParseInt64(e->string_value());
    if (v && *v >= 0 && *v < kSharedIntegers) {
      ctx.reply().Integer(kSharedRefcount);
      return;
    }
  }
  ctx.reply().Integer(1);
}

// OBJECT HELP
void CmdObjectHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "OBJECT",
            {"ENCODING <key>",
             "    Return the kind of internal representation used in order to store the value",
             "    associated with a <key>.", "FREQ <key>",
             "    Return the access frequency index of the <key>. The returned integer is",
             "    proportional to the logarithm of the recent access frequency of the key.",
             "IDLETIME <key>",
             "    Return the idle time of the <key>, that is the approximated number of",
             "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
             "    Return the number of references of the value associated with the specified",
             "    <key>."});
}

// MEMORY USAGE key [SAMPLES count]: options are checked before the key; the key is measured even
// if its TTL has passed. SAMPLES bounds the elements sampled in collections (strings need none).
void CmdMemoryUsage(CommandContext& ctx) {
  for (size_t i = 3; i < ctx.argc(); i++) {
    if (!EqualsIgnoreCase(ctx.arg(i), "samples") || i + 1 >= ctx.argc()) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    std::optional<int64_t> samples = ParseInt64(ctx.arg(i + 1));
    if (!samples) {
      ctx.reply().Error(kErrNotInteger);
      return;
    }
    if (*samples < 0) {
      ctx.reply().Error(kErrSyntax);
      return;
    }
    i++;
  }
  std::optional<int64_t> bytes = keys::MemoryUsage(ctx.db(), ctx.arg(2));
  if (!bytes) {
    ctx.reply().Null();
    return;
  }
  ctx.reply().Integer(*bytes);
}

// Memory figures for MEMORY STATS and DOCTOR (Redis's getMemoryOverheadData), with what this
// server can measure: allocator figures come from jemalloc when linked (else allocated bytes and
// RSS), the peak from INFO memory when the server registered it, and startup memory is not
// tracked (0).
struct MemoryFigures {
  int64_t peak = 0;
  int64_t total = 0;
  int64_t clients_normal = 0;
  int64_t clients_replicas = 0;
  int64_t overhead = 0;
  int64_t keys = 0;
  int64_t allocator_allocated = 0;
  int64_t allocator_active = 0;
  int64_t allocator_resident = 0;
  int64_t rss = 0;
  int64_t normal_clients = 0;
  int64_t replicas = 0;
};

struct DbOverhead {
  int index = 0;
  int64_t main = 0;
  int64_t expires = 0;
};

// The value of `field` in the INFO section `section`, if the server registered one.
std::optional<int64_t> InfoField(ServerState& server, std::string_view section,
                                 std::string_view field) {
  for (const ServerState::InfoSectionEntry& s : server.info_sections()) {
    if (s.name != section) {
      continue;
    }
    std::string text;
    s.fill(text);
    std::string needle = "\n" + std::string(field) + ":";
    text.insert(0, "\n");
    size_t at = text.find(needle);
    if (at == std::string::npos) {
      return std::nullopt;
    }
    size_t start = at + needle.size();
    size_t end = text.find_first_of("\r\n", start);
    return ParseInt64(std::string_view(text).substr(start, end - start));
  }
  return std::nullopt;
}

void ReadAllocator(MemoryFigures* m) {
#ifdef CAIRN_HAVE_JEMALLOC
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);  // refreshes the stats.* figures
  size_t allocated = 0;
  size_t active = 0;
  size_t resident = 0;
  sz = sizeof(size_t);
  mallctl("stats.allocated", &allocated, &sz, nullptr, 0);
  mallctl("stats.active", &active, &sz, nullptr, 0);
  mallctl("stats.resident", &resident, &sz, nullptr, 0);
  m->allocator_allocated = static_cast<int64_t>(allocated);
  m->allocator_active = static_cast<int64_t>(active);
  m->allocator_resident = static_cast<int64_t>(resident);
#else
  m->allocator_allocated = m->total;
  m->allocator_active = m->total;
  m->allocator_resident = m->rss;
#endif
}

std::vector<DbOverhead> DbOverheads(engine::Keyspace& keyspace) {
  std::vector<DbOverhead> out;
  for (int i = 0; i < keyspace.db_count(); i++) {
    engine::Db& db = keyspace.db(i);
    if (db.size() == 0) {
      continue;
    }
    DbOverhead o;
    o.index = i;
    o.main = static_cast<int64_t>(db.table().bucket_count() * sizeof(engine::Entry*) +
                                  db.size() * engine::Entry::kHeaderBytes);
    // The TTL index slot plus the 12 bytes of expire fields inside each entry.
    o.expires = static_cast<int64_t>(db.expiring().capacity() * sizeof(engine::Entry*) +
                                     db.expires_size() * 12);
    out.push_back(o);
  }
  return out;
}

MemoryFigures GatherMemory(CommandContext& ctx, const std::vector<DbOverhead>& dbs) {
  MemoryFigures m;
  m.total = static_cast<int64_t>(AllocatedBytes());
  m.rss = static_cast<int64_t>(ResidentBytes());
  m.peak = std::max(m.total, InfoField(ctx.server(), "memory", "used_memory_peak").value_or(0));
  for (const auto& [id, c] : ctx.server().clients()) {
    auto bytes = static_cast<int64_t>(c->out().size() + c->query_buffer_bytes());
    if (c->has_flag(kClientReplica)) {
      m.clients_replicas += bytes;
      m.replicas++;
    } else {
      m.clients_normal += bytes;
      m.normal_clients++;
    }
  }
  m.overhead = m.clients_normal + m.clients_replicas;
  for (const DbOverhead& d : dbs) {
    m.overhead += d.main + d.expires;
    m.keys += static_cast<int64_t>(ctx.keyspace().db(d.index).size());
  }
  ReadAllocator(&m);
  return m;
}

double Ratio(int64_t a, int64_t b) {
  return b > 0 ? static_cast<double>(a) / b : 0;
}

void Pair(protocol::ReplyWriter& r, std::string_view name, int64_t value) {
  r.Bulk(name);
  r.Integer(value);
}

void PairDouble(protocol::ReplyWriter& r, std::string_view name, double value) {
  r.Bulk(name);
  r.Double(value);
}

// MEMORY STATS: Redis 7.0's field list, in its order.
void CmdMemoryStats(CommandContext& ctx) {
  std::vector<DbOverhead> dbs = DbOverheads(ctx.keyspace());
  MemoryFigures m = GatherMemory(ctx, dbs);
  protocol::ReplyWriter& r = ctx.reply();
  r.MapHeader(27 + static_cast<int64_t>(dbs.size()));
  Pair(r, "peak.allocated", m.peak);
  Pair(r, "total.allocated", m.total);
  Pair(r, "startup.allocated", 0);
  Pair(r, "replication.backlog", 0);
  Pair(r, "clients.slaves", m.clients_replicas);
  Pair(r, "clients.normal", m.clients_normal);
  Pair(r, "cluster.links", 0);
  Pair(r, "aof.buffer", 0);
  Pair(r, "lua.caches", 0);
  Pair(r, "functions.caches", 0);
  for (const DbOverhead& d : dbs) {
    r.Bulk("db." + std::to_string(d.index));
    r.MapHeader(3);
    Pair(r, "overhead.hashtable.main", d.main);
    Pair(r, "overhead.hashtable.expires", d.expires);
    Pair(r, "overhead.hashtable.slot-to-keys", 0);
  }
  int64_t dataset = m.total > m.overhead ? m.total - m.overhead : 0;
  Pair(r, "overhead.total", m.overhead);
  Pair(r, "keys.count", m.keys);
  Pair(r, "keys.bytes-per-key", m.keys > 0 ? m.total / m.keys : 0);
  Pair(r, "dataset.bytes", dataset);
  PairDouble(r, "dataset.percentage", Ratio(dataset * 100, m.total));
  PairDouble(r, "peak.percentage", Ratio(m.total * 100, m.peak));
  Pair(r, "allocator.allocated", m.allocator_allocated);
  Pair(r, "allocator.active", m.allocator_active);
  Pair(r, "allocator.resident", m.allocator_resident);
  PairDouble(r, "allocator-fragmentation.ratio", Ratio(m.allocator_active, m.allocator_allocated));
  Pair(r, "allocator-fragmentation.bytes", m.allocator_active - m.allocator_allocated);
  PairDouble(r, "allocator-rss.ratio", Ratio(m.allocator_resident, m.allocator_active));
  Pair(r, "allocator-rss.bytes", m.allocator_resident - m.allocator_active);
  PairDouble(r, "rss-overhead.ratio", Ratio(m.rss, m.allocator_resident));
  Pair(r, "rss-overhead.bytes", m.rss - m.allocator_resident);
  PairDouble(r, "fragmentation", Ratio(m.rss, m.total));
  Pair(r, "fragmentation.bytes", m.rss - m.total);
}

// MEMORY DOCTOR's texts, byte for byte as Redis 7.0 writes them (typos included).
constexpr char kDoctorPeak[] =
    " * Peak memory: In the past this instance used more than 150% the memory that is currently "
    "using. The allocator is normally not able to release memory after a peak, so you can expect "
    "to see a big fragmentation ratio, however this is actually harmless and is only due to the "
    "memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than "
    "expected, the memory will be used as soon as you fill the Redis instance with more data. If "
    "the memory peak was only occasional and you want to try to reclaim memory, please try the "
    "MEMORY PURGE command, otherwise the only other option is to shutdown and restart the "
    "instance.\n\n";
// Followed by the allocator name and "\".\n\n".
constexpr char kDoctorHighRss[] =
    " * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 "
    "(this means that the Resident Set Size of the Redis process is much larger than the sum of "
    "the logical allocations Redis performed). This problem is usually due either to a large "
    "peak memory (check if there is a peak memory entry above in the report) or may result from "
    "a workload that causes the allocator to fragment memory a lot. If the problem is a large "
    "peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc "
    "allocator and not the default libc malloc. Note: The currently used allocator is \"";
constexpr char kDoctorAllocatorFrag[] =
    " * High allocator fragmentation: This instance has an allocator external fragmentation "
    "greater than 1.1. This problem is usually due either to a large peak memory (check if there "
    "is a peak memory entry above in the report) or may result from a workload that causes the "
    "allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n";
constexpr char kDoctorAllocatorRss[] =
    " * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 "
    "(this means that the Resident Set Size of the allocator is much larger than the sum what the "
    "allocator actually holds). This problem is usually due to a large peak memory (check if "
    "there is a peak memory entry above in the report), you can try the MEMORY PURGE command to "
    "reclaim it.\n\n";
constexpr char kDoctorProcessRss[] =
    " * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater "
    "than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the "
    "RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n";
constexpr char kDoctorReplicaBuffers[] =
    " * Big replica buffers: The replica output buffers in this instance are greater than 10MB "
    "for each replica (on average). This likely means that there is some replica instance that "
    "is struggling receiving data, either because it is too slow or because of networking "
    "issues. As a result, data piles on the master output buffers. Please try to identify what "
    "replica is not receiving data correctly and why. You can use the INFO output in order to "
    "check the replicas delays and the CLIENT LIST command to check the output buffers of each "
    "replica.\n\n";
constexpr char kDoctorClientBuffers[] =
    " * Big client buffers: The clients output buffers in this instance are greater than 200K "
    "per client (on average). This may result from different causes, like Pub/Sub clients "
    "subscribed to channels bot not receiving data fast enough, so that data piles on the Redis "
    "instance output buffer, or clients sending commands with large replies or very large "
    "sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to "
    "investigate the issue if it causes problems in your instance, or to understand better why "
    "certain clients are using a big amount of memory.\n\n";

// Below this much allocated memory MEMORY DOCTOR declines to diagnose.
constexpr int64_t kDoctorMinBytes = int64_t{5} << 20;
// Average normal-client buffer size MEMORY DOCTOR reports as big.
constexpr int64_t kClientBufferBytes = int64_t{200} << 10;
// Redis's floor for an excess worth reporting.
constexpr int64_t kTenMb = int64_t{10} << 20;

// Redis's test for a ratio and an absolute excess: over `ratio` and more than 10 MB.
bool Excess(int64_t a, int64_t b, double ratio) {
  return Ratio(a, b) > ratio && a - b > kTenMb;
}

// The findings of MEMORY DOCTOR, with Redis's thresholds; empty when there are none.
std::string DoctorFindings(const MemoryFigures& m) {
  std::string high_rss = std::string(kDoctorHighRss) + AllocatorName() + "\".\n\n";
  struct Finding {
    bool present;
    std::string_view text;
  };
  const Finding findings[] = {
      {Ratio(m.peak, m.total) > 1.5, kDoctorPeak},
      {Excess(m.rss, m.total, 1.4), high_rss},
      {Excess(m.allocator_active, m.allocator_allocated, 1.1), kDoctorAllocatorFrag},
      {Excess(m.allocator_resident, m.allocator_active, 1.1), kDoctorAllocatorRss},
      {Excess(m.rss, m.allocator_resident, 1.1), kDoctorProcessRss},
      {m.replicas > 0 && m.clients_replicas / m.replicas > kTenMb, kDoctorReplicaBuffers},
      {m.normal_clients > 0 && m.clients_normal / m.normal_clients > kClientBufferBytes,
       kDoctorClientBuffers},
  };
  std::string out;
  for (const Finding& f : findings) {
    if (f.present) {
      out += f.text;
    }
  }
  return out;
}

// MEMORY DOCTOR: Redis's memory report, as a verbatim string.
void CmdMemoryDoctor(CommandContext& ctx) {
  MemoryFigures m = GatherMemory(ctx, DbOverheads(ctx.keyspace()));
  std::string report;
  if (m.total < kDoctorMinBytes) {
    report =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't "
        "be used in these conditions. Please, leave for your mission on Earth and fill it with "
        "some data. The new Sam and I will be back to our programming as soon as I finished "
        "rebooting.\n";
  } else if (std::string findings = DoctorFindings(m); findings.empty()) {
    report =
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
        "occurs on this base.\n";
  } else {
    report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n" + findings +
             "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  ctx.reply().Verbatim(report);
}

// MEMORY MALLOC-STATS: the allocator's own report (jemalloc), else Redis's fallback text.
void CmdMemoryMallocStats(CommandContext& ctx) {
#ifdef CAIRN_HAVE_JEMALLOC
  std::string report;
  malloc_stats_print(
      [](void* out, const char* text) { static_cast<std::string*>(out)->append(text); }, &report,
      nullptr);
  ctx.reply().Verbatim(report);
#else
  ctx.reply().Bulk("Stats not supported for the current allocator");
#endif
}

// MEMORY PURGE: asks the allocator to return unused pages to the OS.
void CmdMemoryPurge(CommandContext& ctx) {
  PurgeAllocator();
  ctx.reply().Ok();
}

// MEMORY HELP
void CmdMemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "MEMORY",
            {"DOCTOR", "    Return memory problems reports.", "MALLOC-STATS",
             "    Return internal statistics report from the memory allocator.", "PURGE",
             "    Attempt to purge dirty pages for reclamation by the allocator.", "STATS",
             "    Return information about the memory usage of the server.",
             "USAGE <key> [SAMPLES <count>]",
             "    Return memory in bytes used by <key> and its value. Nested values are",
             "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

// The containers are never called themselves: the dispatcher resolves a subcommand (or replies
// unknown-subcommand / wrong-arity) first. Kept as a safe reply all the same.
void CmdContainer(CommandContext& ctx) {
  ctx.reply().Error(kErrSyntax);
}

void RegisterObject(CommandTable& table) {
  table.Add({.name = "object", .arity = -2, .handler = CmdContainer});
  uint64_t ks = kAclKeyspace;
  KeyPositions key2{2, 2, 1};
  struct Named {
    const char* name;
    Handler handler;
  };
  for (Named c : {Named{"encoding", CmdObjectEncoding}, Named{"freq", CmdObjectFreq},
                  Named{"idletime", CmdObjectIdleTime}, Named{"refcount", CmdObjectRefcount}}) {
    table.AddSubcommand("object", {.name = c.name,
                                   .arity = 3,
                                   .flags = kReadOnly,
                                   .categories = ks,
                                   .keys = key2,
                                   .handler = c.handler,
                                   .tips = {"nondeterministic_output"}});
  }
  table.AddSubcommand("object", {.name = "help",
                                 .arity = 2,
                                 .flags = kLoading | kStale,
                                 .categories = ks,
                                 .handler = CmdObjectHelp});
}

void RegisterMemory(CommandTable& table) {
  table.Add({.name = "memory", .arity = -2, .handler = CmdContainer});
  std::vector<std::string> report_tips = {"nondeterministic_output", "request_policy:all_shards",
                                          "response_policy:special"};
  table.AddSubcommand("memory", {.name = "usage",
                                 .arity = -3,
                                 .flags = kReadOnly,
                                 .keys = {2, 2, 1},
                                 .handler = CmdMemoryUsage});
  table.AddSubcommand(
      "memory", {.name = "stats", .arity = 2, .handler = CmdMemoryStats, .tips = report_tips});
  table.AddSubcommand(
      "memory", {.name = "doctor", .arity = 2, .handler = CmdMemoryDoctor, .tips = report_tips});
  table.AddSubcommand(
      "memory",
      {.name = "malloc-stats", .arity = 2, .handler = CmdMemoryMallocStats, .tips = report_tips});
  table.AddSubcommand("memory",
                      {.name = "purge",
                       .arity = 2,
                       .handler = CmdMemoryPurge,
                       .tips = {"request_policy:all_shards", "response_policy:all_succeeded"}});
  table.AddSubcommand(
      "memory", {.name = "help", .arity = 2, .flags = kLoading | kStale, .handler = CmdMemoryHelp});
}

}  // namespace

// Called by RegisterGenericFamily.
void RegisterObjectCommands(CommandTable& table) {
  RegisterObject(table);
  RegisterMemory(table);
}

}  // namespace cairn::commands
