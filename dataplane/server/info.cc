// INFO section contents. Field names and formats follow Redis 7.0's genRedisInfoString so that
// tools parsing INFO (redis-cli, exporters, clients) read ours unchanged.
#include "dataplane/server/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <random>
#include <string>

#include "dataplane/base/memory.h"
#include "dataplane/commands/scripting.h"
#include "dataplane/commands/server_state.h"
#include "dataplane/server/server.h"

namespace cairn::server {

void InfoField(std::string& out, const char* name, const std::string& value) {
  out += name;
  out += ':';
  out += value;
  out += "\r\n";
}

void InfoField(std::string& out, const char* name, int64_t value) {
  InfoField(out, name, std::to_string(value));
}

namespace {

void Field(std::string& out, const char* name, const std::string& value) {
  InfoField(out, name, value);
}

void Field(std::string& out, const char* name, int64_t value) {
  InfoField(out, name, value);
}

std::string HumanBytes(double n) {
  char buf[64];
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%lldB", static_cast<long long>(n));
  } else if (n < 1024.0 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", n / 1024);
  } else if (n < 1024.0 * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", n / (1024.0 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", n / (1024.0 * 1024 * 1024));
  }
  return buf;
}

std::string RandomHex(size_t n) {
  std::random_device rd;
  std::string out;
  const char* digits = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out += digits[rd() % 16];
  }
  return out;
}

// The scripting lines of INFO memory (Redis 7.0's names); zeros before any script ran.
void FillScriptingMemory(commands::ServerState& state, std::string& out) {
  commands::Scripting* scripting = state.scripting.get();
  auto vm_eval = static_cast<int64_t>(scripting != nullptr ? scripting->memory_bytes() : 0);
  auto scripts = static_cast<int64_t>(scripting != nullptr ? scripting->scripts_bytes() : 0);
  bool has_functions = scripting != nullptr && scripting->has_functions();
  int64_t vm_functions = 0;
  int64_t functions = 0;
  int64_t libraries = 0;
  int64_t functions_bytes = 0;
  if (has_functions) {
    commands::FunctionStore& store = scripting->functions();
    vm_functions = static_cast<int64_t>(store.engine().used_memory());
    functions = static_cast<int64_t>(store.function_count());
    libraries = static_cast<int64_t>(store.libraries().size());
    for (const auto& [name, library] : store.libraries()) {
      functions_bytes += static_cast<int64_t>(library.code.size());
    }
  }
  Field(out, "used_memory_lua", vm_eval);
  Field(out, "used_memory_vm_eval", vm_eval);
  Field(out, "used_memory_lua_human", HumanBytes(static_cast<double>(vm_eval)));
  Field(out, "used_memory_scripts_eval", scripts);
  Field(out, "number_of_cached_scripts",
        static_cast<int64_t>(scripting != nullptr ? scripting->script_count() : 0));
  Field(out, "number_of_functions", functions);
  Field(out, "number_of_libraries", libraries);
  Field(out, "used_memory_vm_functions", vm_functions);
  Field(out, "used_memory_vm_total", vm_eval + vm_functions);
  Field(out, "used_memory_vm_total_human", HumanBytes(static_cast<double>(vm_eval + vm_functions)));
  Field(out, "used_memory_functions", functions_bytes);
  Field(out, "used_memory_scripts", scripts + functions_bytes);
  Field(out, "used_memory_scripts_human",
        HumanBytes(static_cast<double>(scripts + functions_bytes)));
}

}  // namespace

void RegisterInfoSections(Server& server) {
  commands::ServerState& state = server.state();
  auto run_id = std::make_shared<std::string>(RandomHex(40));

  state.AddInfoSection("server", [&server, run_id](std::string& out) {
    commands::ServerState& st = server.state();
    struct utsname name {};
    uname(&name);
    int64_t now_ms = st.clock().NowMs();
    int64_t uptime_s = (now_ms - st.stats().start_time_ms) / 1000;
    Field(out, "redis_version", "7.0.15");
    Field(out, "redis_git_sha1", "00000000");
    Field(out, "redis_git_dirty", 0);
    Field(out, "redis_build_id", "0");
    Field(out, "redis_mode", "standalone");
    Field(out, "cairn_version", "0.1.0");
    Field(out, "os", std::string(name.sysname) + " " + name.release + " " + name.machine);
    Field(out, "arch_bits", 64);
    Field(out, "monotonic_clock", "POSIX clock_gettime");
    Field(out, "multiplexing_api", "epoll");
    Field(out, "atomicvar_api", "c11-builtin");
    Field(out, "gcc_version",
          std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
              std::to_string(__GNUC_PATCHLEVEL__));
    Field(out, "process_id", static_cast<int64_t>(getpid()));
    Field(out, "process_supervised", "no");
    Field(out, "run_id", *run_id);
    Field(out, "tcp_port", st.config().port);
    Field(out, "server_time_usec", now_ms * 1000);
    Field(out, "uptime_in_seconds", uptime_s);
    Field(out, "uptime_in_days", uptime_s / 86400);
    Field(out, "hz", server.keyspace().config().hz);
    Field(out, "configured_hz", server.keyspace().config().hz);
    Field(out, "lru_clock", (now_ms / 1000) & ((1 << 24) - 1));
    Field(out, "executable", server.executable());
    Field(out, "config_file", server.config_file());
    Field(out, "io_threads_active", 0);
  });

  state.AddInfoSection("clients", [&server](std::string& out) {
    commands::ServerState& st = server.state();
    int64_t pubsub = 0;
    int64_t watching = 0;
    size_t max_in = 0;
    size_t max_out = 0;
    for (const auto& [id, c] : st.clients()) {
      pubsub += c->subscription_count() > 0;
      watching += !c->watched.empty();
      max_out = std::max(max_out, c->out().size());
      max_in = std::max(max_in, c->query_buffer_bytes());
    }
    Field(out, "connected_clients", static_cast<int64_t>(st.clients().size()));
    Field(out, "cluster_connections", 0);
    Field(out, "maxclients", st.config().maxclients);
    Field(out, "client_recent_max_input_buffer", static_cast<int64_t>(max_in));
    Field(out, "client_recent_max_output_buffer", static_cast<int64_t>(max_out));
    Field(out, "blocked_clients", static_cast<int64_t>(st.blocked().blocked_count()));
    Field(out, "tracking_clients", 0);
    Field(out, "clients_in_timeout_table", 0);
    Field(out, "pubsub_clients", pubsub);
    Field(out, "watching_clients", watching);
    Field(out, "total_watched_keys", static_cast<int64_t>(st.watched_keys_count()));
  });

  state.AddInfoSection("memory", [&server](std::string& out) {
    auto used = static_cast<int64_t>(AllocatedBytes());
    auto rss = static_cast<int64_t>(ResidentBytes());
    int64_t peak = std::max(server.peak_memory(), used);
    int64_t maxmemory = server.keyspace().config().maxmemory_bytes;
    Field(out, "used_memory", used);
    Field(out, "used_memory_human", HumanBytes(static_cast<double>(used)));
    Field(out, "used_memory_rss", rss);
    Field(out, "used_memory_rss_human", HumanBytes(static_cast<double>(rss)));
    Field(out, "used_memory_peak", peak);
    Field(out, "used_memory_peak_human", HumanBytes(static_cast<double>(peak)));
    char perc[32];
    std::snprintf(perc, sizeof(perc), "%.2f%%", peak > 0 ? 100.0 * used / peak : 100.0);
    Field(out, "used_memory_peak_perc", perc);
    long pages = sysconf(_SC_PHYS_PAGES);
    int64_t total = static_cast<int64_t>(pages) * sysconf(_SC_PAGESIZE);
    Field(out, "total_system_memory", total);
    Field(out, "total_system_memory_human", HumanBytes(static_cast<double>(total)));
    FillScriptingMemory(server.state(), out);
    Field(out, "maxmemory", maxmemory);
    Field(out, "maxmemory_human", HumanBytes(static_cast<double>(maxmemory)));
    Field(out, "maxmemory_policy",
          std::string(engine::EvictionPolicyName(server.keyspace().config().policy)));
    char ratio[32];
    std::snprintf(ratio, sizeof(ratio), "%.2f", used > 0 ? static_cast<double>(rss) / used : 0.0);
    Field(out, "mem_fragmentation_ratio", ratio);
    Field(out, "mem_fragmentation_bytes", rss - used);
    Field(out, "mem_allocator", AllocatorName());
    Field(out, "lazyfree_pending_objects", 0);
  });

  state.AddInfoSection("persistence",
                       [&server](std::string& out) { server.snapshots().FillInfo(out); });

  state.AddInfoSection("stats", [&server](std::string& out) {
    commands::ServerState& st = server.state();
    const commands::ServerStats& s = st.stats();
    const engine::KeyspaceStats& ks = server.keyspace().stats();
    Field(out, "total_connections_received", s.total_connections_received);
    Field(out, "total_commands_processed", s.total_commands_processed);
    Field(out, "instantaneous_ops_per_sec", server.instantaneous_ops_per_sec());
    Field(out, "total_net_input_bytes", s.net_input_bytes);
    Field(out, "total_net_output_bytes", s.net_output_bytes);
    Field(out, "rejected_connections", s.rejected_connections);
    Field(out, "sync_full", server.replication().sync_full());
    Field(out, "sync_partial_ok", server.replication().sync_partial_ok());
    Field(out, "sync_partial_err", server.replication().sync_partial_err());
    Field(out, "expired_keys", ks.expired_keys);
    char perc[32];
    std::snprintf(perc, sizeof(perc), "%.2f", ks.expired_stale_perc * 100);
    Field(out, "expired_stale_perc", perc);
    Field(out, "expired_time_cap_reached_count", ks.expired_time_cap_reached_count);
    Field(out, "expire_cycle_cpu_milliseconds", ks.expire_cycle_cpu_milliseconds);
    Field(out, "evicted_keys", ks.evicted_keys);
    Field(out, "keyspace_hits", ks.keyspace_hits);
    Field(out, "keyspace_misses", ks.keyspace_misses);
    Field(out, "pubsub_channels", static_cast<int64_t>(st.pubsub().Channels("").size()));
    Field(out, "pubsub_patterns", st.pubsub().NumPatterns());
    Field(out, "client_query_buffer_limit_disconnections", s.client_qbuf_limit_disconnections);
    Field(out, "client_output_buffer_limit_disconnections", s.client_outbuf_limit_disconnections);
    Field(out, "unexpected_error_replies", s.unexpected_error_replies);
    Field(out, "total_error_replies", s.total_error_replies);
    Field(out, "total_reads_processed", s.total_reads_processed);
    Field(out, "total_writes_processed", s.total_writes_processed);
  });

  state.AddInfoSection("replication",
                       [&server](std::string& out) { server.replication().FillInfo(out); });

  state.AddInfoSection("cpu", [](std::string& out) {
    struct rusage self {};
    struct rusage children {};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    auto secs = [](const timeval& tv) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                    static_cast<long>(tv.tv_usec));
      return std::string(buf);
    };
    Field(out, "used_cpu_sys", secs(self.ru_stime));
    Field(out, "used_cpu_user", secs(self.ru_utime));
    Field(out, "used_cpu_sys_children", secs(children.ru_stime));
    Field(out, "used_cpu_user_children", secs(children.ru_utime));
  });

  state.AddInfoSection(
      "commandstats",
      [&server](std::string& out) {
        auto emit = [&out](const commands::CommandSpec& c) {
          if (c.calls == 0 && c.rejected_calls == 0 && c.failed_calls == 0) {
            return;
          }
          char buf[256];
          std::snprintf(buf, sizeof(buf),
                        "cmdstat_%s:calls=%" PRId64 ",usec=%" PRId64
                        ",usec_per_call=%.2f,rejected_calls=%" PRId64 ",failed_calls=%" PRId64
                        "\r\n",
                        c.name.c_str(), c.calls, c.usec,
                        c.calls > 0 ? static_cast<double>(c.usec) / c.calls : 0.0, c.rejected_calls,
                        c.failed_calls);
          out += buf;
        };
        for (const commands::CommandSpec* c : server.state().table().All()) {
          emit(*c);
          for (const auto& sub : c->subcommands) {
            emit(*sub);
          }
        }
      },
      /*in_default=*/false);

  state.AddInfoSection(
      "errorstats",
      [&server](std::string& out) {
        for (const auto& [code, count] : server.state().stats().errorstats) {
          out += "errorstat_" + code + ":count=" + std::to_string(count) + "\r\n";
        }
      },
      /*in_default=*/false);

  state.AddInfoSection("keyspace", [&server](std::string& out) {
    engine::Keyspace& ks = server.keyspace();
    for (int i = 0; i < ks.db_count(); i++) {
      engine::Db& db = ks.db(i);
      if (db.size() == 0) {
        continue;
      }
      int64_t avg_ttl = 0;
      const auto& expiring = db.expiring();
      if (!expiring.empty()) {
        // Average remaining TTL over a sample (Redis keeps a running estimate; both are
        // approximations of the same figure).
        int64_t now = ks.now_ms();
        int64_t sum = 0;
        size_t n = std::min<size_t>(expiring.size(), 100);
        for (size_t k = 0; k < n; k++) {
          sum += std::max<int64_t>(0, expiring[k]->expire_at_ms() - now);
        }
        avg_ttl = sum / static_cast<int64_t>(n);
      }
      out += "db" + std::to_string(i) + ":keys=" + std::to_string(db.size()) +
             ",expires=" + std::to_string(db.expires_size()) +
             ",avg_ttl=" + std::to_string(avg_ttl) + "\r\n";
    }
  });
}

}  // namespace cairn::server
