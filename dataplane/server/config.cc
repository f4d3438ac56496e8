// cairn-server's parameters (redis.conf names and defaults) and the loading of the config file
// and command line, with Redis's fatal-error report format.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "dataplane/base/memory.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/notify.h"
#include "dataplane/protocol/resp_parser.h"
#include "dataplane/server/server.h"

namespace cairn::server {
namespace {

using commands::ServerConfig;

std::string YesNo(bool v) {
  return v ? "yes" : "no";
}

// A parameter whose value is stored and reported but has no effect beyond that in this build
// (Redis tuning knobs whose behaviour we meet another way, e.g. lazyfree-*: frees are cheap).
Parameter Stored(std::string name, std::string value, std::vector<std::string> allowed = {},
                 uint32_t flags = Parameter::kNone) {
  auto held = std::make_shared<std::string>(value);
  Parameter p;
  p.name = std::move(name);
  p.flags = flags;
  p.get = [held] { return *held; };
  if (allowed.empty()) {
    p.set = [held](std::string_view v, bool) {
      *held = std::string(v);
      return Status::Ok();
    };
  } else {
    auto setter = EnumSetter(held.get(), allowed);
    p.set = [held, setter](std::string_view v, bool s) { return setter(v, s); };
  }
  p.default_value = value;
  return p;
}

Parameter StoredBool(std::string name, bool value, uint32_t flags = Parameter::kNone) {
  auto held = std::make_shared<bool>(value);
  Parameter p;
  p.name = std::move(name);
  p.flags = flags;
  p.get = [held] { return YesNo(*held); };
  auto setter = BoolSetter(held.get());
  p.set = [held, setter](std::string_view v, bool s) { return setter(v, s); };
  return p;
}

// Stored (see above) for integers in [min, max], with Redis's range error; `memory` takes
// Redis's memory units (1k, 1mb...) instead.
Parameter StoredInt(std::string name, int64_t value, int64_t min, int64_t max,
                    uint32_t flags = Parameter::kNone, bool memory = false) {
  auto held = std::make_shared<int64_t>(value);
  Parameter p;
  p.name = std::move(name);
  p.flags = flags;
  p.get = [held] { return std::to_string(*held); };
  auto setter = memory ? MemorySetter(held.get(), min, max) : IntSetter(held.get(), min, max);
  p.set = [held, setter](std::string_view v, bool s) { return setter(v, s); };
  p.default_value = std::to_string(value);
  return p;
}

// `p` also answering to `alias` (Redis's older names, e.g. slave-priority for replica-priority).
Parameter Aliased(Parameter p, std::string alias) {
  p.aliases.push_back(std::move(alias));
  return p;
}

Parameter IntParam(std::string name, int64_t* target, int64_t min, int64_t max,
                   uint32_t flags = Parameter::kNone) {
  Parameter p;
  p.name = std::move(name);
  p.flags = flags;
  p.get = [target] { return std::to_string(*target); };
  p.set = IntSetter(target, min, max);
  return p;
}

Parameter MemoryParam(std::string name, int64_t* target, int64_t max = INT64_MAX) {
  Parameter p;
  p.name = std::move(name);
  p.get = [target] { return std::to_string(*target); };
  p.set = MemorySetter(target, 0, max);
  return p;
}

Status ParseOutputLimit(std::string_view value, ServerConfig& config) {
  std::vector<std::string> words;
  if (!protocol::SplitInlineArgs(value, &words) || words.size() % 4 != 0 || words.empty()) {
    return Status::InvalidArgument("Wrong number of arguments in buffer limit configuration.");
  }
  for (size_t i = 0; i < words.size(); i += 4) {
    ServerConfig::OutputLimit* target;
    std::string cls = AsciiLower(words[i]);
    if (cls == "normal") {
      target = &config.output_limit_normal;
    } else if (cls == "replica" || cls == "slave") {
      target = &config.output_limit_replica;
    } else if (cls == "pubsub") {
      target = &config.output_limit_pubsub;
    } else {
      return Status::InvalidArgument(
          "Invalid client class specified in buffer limit configuration.");
    }
    std::optional<int64_t> hard = ParseMemory(words[i + 1]);
    std::optional<int64_t> soft = ParseMemory(words[i + 2]);
    std::optional<int64_t> secs = ParseInt64(words[i + 3]);
    if (!hard || !soft || !secs || *secs < 0) {
      return Status::InvalidArgument(
          "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
    }
    *target = {*hard, *soft, *secs};
  }
  return Status::Ok();
}

std::string FormatOutputLimits(const ServerConfig& c) {
  auto one = [](const char* name, const ServerConfig::OutputLimit& l) {
    return std::string(name) + " " + std::to_string(l.hard) + " " + std::to_string(l.soft) + " " +
           std::to_string(l.soft_seconds);
  };
  return one("normal", c.output_limit_normal) + " " + one("slave", c.output_limit_replica) + " " +
         one("pubsub", c.output_limit_pubsub);
}

// latency-tracking-info-percentiles: "50 99 99.9" (each 0..100; "" for none).
Status ParsePercentiles(std::string_view value, std::vector<double>* out) {
  std::vector<std::string> words;
  std::vector<double> parsed;
  if (!protocol::SplitInlineArgs(value, &words)) {
    return Status::InvalidArgument("Invalid latency-tracking-info-percentiles parameters");
  }
  for (const std::string& w : words) {
    std::optional<double> p = ParseDouble(w);
    if (!p) {
      return Status::InvalidArgument("Invalid latency-tracking-info-percentiles parameters");
    }
    if (*p < 0 || *p > 100) {
      return Status::InvalidArgument(
          "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
    }
    parsed.push_back(*p);
  }
  *out = std::move(parsed);
  return Status::Ok();
}

std::string FormatPercentiles(const std::vector<double>& percentiles) {
  std::string out;
  for (double p : percentiles) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", p);
    out += (out.empty() ? "" : " ") + std::string(buf);
  }
  return out;
}

}  // namespace

void Server::RegisterParameters() {
  ParameterTable& t = parameters_;
  ServerConfig& c = config_;
  t.Add(IntParam("port", &c.port, 0, 65535));
  t.Add({.name = "bind",
         .flags = Parameter::kMultiArg,
         .get = [&c] { return c.bind; },
         .set = StringSetter(&c.bind),
         .default_value = c.bind});
  t.Add({.name = "unixsocket",
         .flags = Parameter::kImmutable,
         .get = [&c] { return c.unixsocket; },
         .set = StringSetter(&c.unixsocket)});
  t.Add({.name = "unixsocketperm",
         .flags = Parameter::kImmutable,
         .get = [&c] { return std::to_string(c.unixsocketperm); },
         .set = [&c](std::string_view v, bool) -> Status {
           std::string s(v);
           char* end = nullptr;
           long perm = std::strtol(s.c_str(), &end, 8);
           if (s.empty() || *end != '\0' || perm < 0 || perm > 0777) {
             return Status::InvalidArgument("argument couldn't be parsed into an integer");
           }
           c.unixsocketperm = perm;
           return Status::Ok();
         }});
  t.Add(IntParam("timeout", &c.timeout_s, 0, INT32_MAX));
  t.Add(IntParam("tcp-keepalive", &c.tcp_keepalive_s, 0, INT32_MAX));
  // busy-poll-us (cairn's own, microseconds, 0..1000): how long the event loop keeps polling
  // for requests without sleeping after a burst of activity (EventLoop::SetBusyPoll). Hidden
  // from CONFIG GET globs, shown by exact name.
  t.Add({.name = "busy-poll-us",
         .flags = Parameter::kHidden,
         .get = [this] { return std::to_string(loop_.busy_poll_us()); },
         .set = [this](std::string_view v, bool s) -> Status {
           int64_t us = loop_.busy_poll_us();
           CAIRN_RETURN_IF_ERROR(IntSetter(&us, 0, 1000)(v, s));
           loop_.SetBusyPoll(us);
           return Status::Ok();
         }});
  t.Add({.name = "protected-mode",
         .get = [&c] { return YesNo(c.protected_mode); },
         .set = BoolSetter(&c.protected_mode)});
  t.Add({.name = "daemonize",
         .flags = Parameter::kImmutable,
         .get = [&c] { return YesNo(c.daemonize); },
         .set = BoolSetter(&c.daemonize)});
  t.Add({.name = "pidfile",
         .flags = Parameter::kImmutable,
         .get = [&c] { return c.pidfile; },
         .set = StringSetter(&c.pidfile)});
  t.Add({.name = "loglevel",
         .get = [&c] { return c.loglevel; },
         .set = EnumSetter(&c.loglevel, {"debug", "verbose", "notice", "warning", "nothing"})});
  t.Add({.name = "logfile",
         .flags = Parameter::kImmutable,
         .get = [&c] { return c.logfile; },
         .set = StringSetter(&c.logfile)});
  t.Add({.name = "databases",
         .flags = Parameter::kImmutable,
         .get = [this] { return std::to_string(keyspace_config_.databases); },
         .set = [this](std::string_view v, bool s) -> Status {
           int64_t n = keyspace_config_.databases;
           CAIRN_RETURN_IF_ERROR(IntSetter(&n, 1, INT32_MAX)(v, s));
           keyspace_config_.databases = static_cast<int>(n);
           keyspace_ = std::make_unique<engine::Keyspace>(keyspace_config_, &clock_,
                                                          keyspace_->used_memory_source());
           return Status::Ok();
         }});
  // requirepass is the default user's password (Redis's ACLUpdateDefaultUserPassword).
  t.Add({.name = "requirepass",
         .flags = Parameter::kSensitive,
         .get = [&c] { return c.requirepass; },
         .set =
             [this, &c](std::string_view v, bool) {
               c.requirepass = std::string(v);
               acl_->SetDefaultPassword(v);
               return Status::Ok();
             }});
  t.Add(IntParam("maxclients", &c.maxclients, 1, INT32_MAX));
  // `databases` may rebuild the keyspace at start-up: always reach it through keyspace_.
  t.Add({.name = "maxmemory",
         .get = [this] { return std::to_string(keyspace_->config().maxmemory_bytes); },
         .set =
             [this](std::string_view v, bool s) {
               return MemorySetter(&keyspace_->config().maxmemory_bytes, 0, INT64_MAX)(v, s);
             }});
  t.Add({.name = "maxmemory-policy",
         .get =
             [this] { return std::string(engine::EvictionPolicyName(keyspace_->config().policy)); },
         .set = [this](std::string_view v, bool) -> Status {
           engine::EvictionPolicy p;
           if (!engine::ParseEvictionPolicy(v, &p)) {
             return Status::InvalidArgument(
                 "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                 "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, "
                 "noeviction");
           }
           keyspace_->config().policy = p;
           return Status::Ok();
         }});
  auto keyspace_int = [this](std::string name, int engine::KeyspaceConfig::*field, int min,
                             int max) {
    Parameter p;
    p.name = std::move(name);
    p.get = [this, field] { return std::to_string(keyspace_->config().*field); };
    p.set = [this, field, min, max](std::string_view v, bool s) -> Status {
      int64_t tmp = keyspace_->config().*field;
      CAIRN_RETURN_IF_ERROR(IntSetter(&tmp, min, max)(v, s));
      keyspace_->config().*field = static_cast<int>(tmp);
      return Status::Ok();
    };
    return p;
  };
  t.Add(keyspace_int("maxmemory-samples", &engine::KeyspaceConfig::maxmemory_samples, 1, 64));
  t.Add(keyspace_int("lfu-log-factor", &engine::KeyspaceConfig::lfu_log_factor, 0, INT32_MAX));
  t.Add(keyspace_int("lfu-decay-time", &engine::KeyspaceConfig::lfu_decay_time, 0, INT32_MAX));
  t.Add(keyspace_int("active-expire-effort", &engine::KeyspaceConfig::active_expire_effort, 1, 10));
  // Collection encodings (engine/types/): thresholds of the packed forms.
  t.Add(Aliased(keyspace_int("hash-max-listpack-entries",
                             &engine::KeyspaceConfig::hash_max_listpack_entries, 0, INT32_MAX),
                "hash-max-ziplist-entries"));
  t.Add(Aliased(keyspace_int("hash-max-listpack-value",
                             &engine::KeyspaceConfig::hash_max_listpack_value, 0, INT32_MAX),
                "hash-max-ziplist-value"));
  t.Add(Aliased(keyspace_int("list-max-listpack-size",
                             &engine::KeyspaceConfig::list_max_listpack_size, INT32_MIN, INT32_MAX),
                "list-max-ziplist-size"));
  t.Add(keyspace_int("set-max-intset-entries", &engine::KeyspaceConfig::set_max_intset_entries, 0,
                     INT32_MAX));
  t.Add(Aliased(keyspace_int("zset-max-listpack-entries",
                             &engine::KeyspaceConfig::zset_max_listpack_entries, 0, INT32_MAX),
                "zset-max-ziplist-entries"));
  t.Add(Aliased(keyspace_int("zset-max-listpack-value",
                             &engine::KeyspaceConfig::zset_max_listpack_value, 0, INT32_MAX),
                "zset-max-ziplist-value"));
  t.Add(keyspace_int("stream-node-max-bytes", &engine::KeyspaceConfig::stream_node_max_bytes, 0,
                     INT32_MAX));
  t.Add(keyspace_int("stream-node-max-entries", &engine::KeyspaceConfig::stream_node_max_entries, 0,
                     INT32_MAX));
  // Redis accepts any non-negative hz and keeps it within 1..500.
  t.Add({.name = "hz",
         .get = [this] { return std::to_string(keyspace_->config().hz); },
         .set = [this](std::string_view v, bool s) -> Status {
           int64_t hz = keyspace_->config().hz;
           CAIRN_RETURN_IF_ERROR(IntSetter(&hz, 0, INT32_MAX)(v, s));
           keyspace_->config().hz = static_cast<int>(std::clamp<int64_t>(hz, 1, 500));
           return Status::Ok();
         }});
  t.Add(StoredBool("dynamic-hz", true));
  t.Add(MemoryParam("proto-max-bulk-len", &c.proto_max_bulk_len));
  t.Add(MemoryParam("client-query-buffer-limit", &c.client_query_buffer_limit));
  t.Add({.name = "client-output-buffer-limit",
         .flags = Parameter::kMultiArg,
         .get = [&c] { return FormatOutputLimits(c); },
         .set = [&c](std::string_view v, bool) { return ParseOutputLimit(v, c); }});
  t.Add(IntParam("slowlog-log-slower-than", &c.slowlog_log_slower_than_us, -1, INT64_MAX));
  t.Add(IntParam("slowlog-max-len", &c.slowlog_max_len, 0, INT64_MAX));
  t.Add(Aliased(IntParam("busy-reply-threshold", &c.busy_reply_threshold_ms, 0, INT64_MAX),
                "lua-time-limit"));
  t.Add(IntParam("latency-monitor-threshold", &c.latency_monitor_threshold_ms, 0, INT64_MAX));
  t.Add({.name = "latency-tracking",
         .get = [&c] { return YesNo(c.latency_tracking); },
         .set = BoolSetter(&c.latency_tracking)});
  t.Add({.name = "latency-tracking-info-percentiles",
         .get = [&c] { return FormatPercentiles(c.latency_tracking_percentiles); },
         .set = [&c](std::string_view v,
                     bool) { return ParsePercentiles(v, &c.latency_tracking_percentiles); }});
  t.Add({.name = "notify-keyspace-events",
         .get = [&c] { return commands::NotifyFlagsToString(c.notify_keyspace_events); },
         .set = [&c](std::string_view v, bool) -> Status {
           std::optional<uint32_t> flags = commands::ParseNotifyFlags(v);
           if (!flags) {
             return Status::InvalidArgument(
                 "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
           }
           c.notify_keyspace_events = *flags;
           return Status::Ok();
         }});
  t.Add({.name = "enable-debug-command",
         .flags = Parameter::kImmutable,
         .get = [&c] { return c.enable_debug_command; },
         .set = EnumSetter(&c.enable_debug_command, {"no", "yes", "local"})});
  t.Add({.name = "enable-protected-configs",
         .flags = Parameter::kImmutable,
         .get = [&c] { return c.enable_protected_configs; },
         .set = EnumSetter(&c.enable_protected_configs, {"no", "yes", "local"})});
  t.Add({.name = "dir",
         .get =
             [] {
               char buf[4096];
               return std::string(getcwd(buf, sizeof(buf)) != nullptr ? buf : "");
             },
         .set = [&c](std::string_view v, bool) -> Status {
           std::string path(v);
           if (chdir(path.c_str()) != 0) {
             return Status::InvalidArgument(std::string("No such file or directory"));
           }
           c.dir = path;
           return Status::Ok();
         }});
  t.Add({.name = "dbfilename",
         .get = [&c] { return c.dbfilename; },
         .set = [&c](std::string_view v, bool) -> Status {
           // As Redis: the file lives in `dir`; a path here would escape it.
           if (v.find('/') != std::string_view::npos) {
             return Status::InvalidArgument("dbfilename can't be a path, just a filename");
           }
           c.dbfilename = std::string(v);
           return Status::Ok();
         }});
  // Accepted and reported; persistence, replication, threading and lazy freeing arrive with
  // their issues (or, like lazyfree, need no separate mechanism here).
  Snapshots& snapshots = *snapshots_;
  t.Add({.name = "save",
         .flags = Parameter::kMultiArg,
         .get = [&snapshots] { return persistence::FormatSavePoints(snapshots.save_points); },
         .set = [&snapshots](std::string_view v, bool) -> Status {
           Result<std::vector<persistence::SavePoint>> points = persistence::ParseSavePoints(v);
           if (!points.ok()) {
             return points.status();
           }
           snapshots.save_points = std::move(*points);
           return Status::Ok();
         }});
  aof_->RegisterParameters(t);
  t.Add({.name = "rdbcompression",
         .get = [&snapshots] { return YesNo(snapshots.rdbcompression); },
         .set = BoolSetter(&snapshots.rdbcompression)});
  t.Add({.name = "rdbchecksum",
         .get = [&snapshots] { return YesNo(snapshots.rdbchecksum); },
         .set = BoolSetter(&snapshots.rdbchecksum)});
  t.Add({.name = "stop-writes-on-bgsave-error",
         .get = [&snapshots] { return YesNo(snapshots.stop_writes_on_bgsave_error); },
         .set = BoolSetter(&snapshots.stop_writes_on_bgsave_error)});
  // Testing aids Redis hides from CONFIG GET globs, as here.
  t.Add(IntParam("loading-process-events-interval-bytes", &snapshots.loading_interval_bytes, 1024,
                 INT32_MAX, Parameter::kHidden));
  t.Add(IntParam("key-load-delay", &snapshots.key_load_delay_us, INT32_MIN, INT32_MAX,
                 Parameter::kHidden));
  t.Add(IntParam("rdb-key-save-delay", &snapshots.key_save_delay_us, INT32_MIN, INT32_MAX,
                 Parameter::kHidden));
  t.Add({.name = "activerehashing",
         .get = [this] { return YesNo(keyspace_->config().active_rehashing); },
         .set =
             [this](std::string_view v, bool startup) {
               return BoolSetter(&keyspace_->config().active_rehashing)(v, startup);
             }});
  t.Add(StoredBool("lazyfree-lazy-eviction", false));
  t.Add(StoredBool("lazyfree-lazy-expire", false));
  t.Add(StoredBool("lazyfree-lazy-server-del", false));
  t.Add(StoredBool("lazyfree-lazy-user-del", false));
  t.Add(StoredBool("lazyfree-lazy-user-flush", false));
  Replication& repl = *replication_;
  t.Add({.name = "replica-read-only",
         .aliases = {"slave-read-only"},
         .get = [&repl] { return YesNo(repl.replica_read_only); },
         .set = BoolSetter(&repl.replica_read_only)});
  t.Add({.name = "masterauth",
         .flags = Parameter::kSensitive,
         .get = [&repl] { return repl.masterauth; },
         .set = StringSetter(&repl.masterauth)});
  t.Add({.name = "masteruser",
         .get = [&repl] { return repl.masteruser; },
         .set = StringSetter(&repl.masteruser)});
  t.Add({.name = "replicaof",
         .aliases = {"slaveof"},
         .flags = Parameter::kImmutable | Parameter::kMultiArg,
         .get =
             [&repl] {
               return repl.configured_primary_host.empty()
                          ? std::string()
                          : repl.configured_primary_host + " " +
                                std::to_string(repl.configured_primary_port);
             },
         .set = [&repl](std::string_view v, bool) -> Status {
           std::vector<std::string> words;
           std::optional<int64_t> port;
           if (protocol::SplitInlineArgs(v, &words) && words.size() == 2) {
             port = ParseInt64(words[1]);
           }
           if (!port || *port < 0 || *port > 65535) {
             return Status::InvalidArgument("Invalid master port");
           }
           repl.configured_primary_host = words[0];
           repl.configured_primary_port = *port;
           return Status::Ok();
         }});
  t.Add({.name = "repl-backlog-size",
         .get = [&repl] { return std::to_string(repl.backlog_size); },
         .set = [&repl](std::string_view v, bool startup) -> Status {
           CAIRN_RETURN_IF_ERROR(
               MemorySetter(&repl.backlog_size, 16 * 1024, INT64_MAX)(v, startup));
           repl.ResizeBacklog();
           return Status::Ok();
         }});
  t.Add(IntParam("repl-timeout", &repl.repl_timeout_s, 1, INT32_MAX));
  t.Add(Aliased(IntParam("repl-ping-replica-period", &repl.ping_period_s, 1, INT32_MAX),
                "repl-ping-slave-period"));
  t.Add({.name = "repl-diskless-sync",
         .get = [&repl] { return YesNo(repl.diskless_sync); },
         .set = BoolSetter(&repl.diskless_sync)});
  t.Add(Stored("repl-diskless-sync-delay", "5"));
  t.Add(IntParam("repl-backlog-ttl", &repl.backlog_ttl_s, 0, INT64_MAX));
  t.Add(Aliased(IntParam("min-replicas-to-write", &repl.min_replicas_to_write, 0, INT32_MAX),
                "min-slaves-to-write"));
  t.Add(Aliased(IntParam("min-replicas-max-lag", &repl.min_replicas_max_lag_s, 0, INT32_MAX),
                "min-slaves-max-lag"));
  t.Add(Aliased(StoredInt("replica-priority", 100, 0, INT32_MAX), "slave-priority"));
  t.Add({.name = "replica-serve-stale-data",
         .aliases = {"slave-serve-stale-data"},
         .get = [&repl] { return YesNo(repl.serve_stale_data); },
         .set = BoolSetter(&repl.serve_stale_data)});
  t.Add(Stored("io-threads", "1"));
  t.Add(StoredBool("io-threads-do-reads", false));
  t.Add(Stored("tcp-backlog", "511"));
  t.Add(Stored("supervised", "no", {"upstart", "systemd", "auto", "no"}));
  t.Add(StoredBool("always-show-logo", false));
  t.Add({.name = "set-proc-title",
         .flags = Parameter::kImmutable,
         .get = [this] { return YesNo(set_proc_title_); },
         .set = BoolSetter(&set_proc_title_)});
  t.Add(Stored("list-compress-depth", "0"));
  t.Add(MemoryParam("hll-sparse-max-bytes", &c.hll_sparse_max_bytes));
  // Accepted and reported (client eviction and eviction tenacity are not implemented).
  t.Add(Stored("maxmemory-clients", "0"));
  RegisterTlsParameters(t, tls_);
  auto tenacity = std::make_shared<int64_t>(10);
  t.Add({.name = "maxmemory-eviction-tenacity",
         .get = [tenacity] { return std::to_string(*tenacity); },
         .set = [tenacity](std::string_view v,
                           bool s) { return IntSetter(tenacity.get(), 0, 100)(v, s); }});
  RegisterProcessParameters(t);
  RegisterAclParameters();
}

// Parameters of Redis 7.0's redis.conf that concern the process, or features this server meets
// another way, so that a stock redis.conf starts cairn-server. Behaviour: oom-score-adj,
// oom-score-adj-values and disable-thp act as in Redis; activedefrag refuses `yes` with Redis's
// error for a build without its own jemalloc; the rest are stored and reported.
ProcTitleVariables Server::ProcTitleVars(std::string title) const {
  ProcTitleVariables vars;
  vars.title = std::move(title);
  std::string first_bind = config_.bind.substr(0, config_.bind.find(' '));
  vars.listen_addr = (first_bind.empty() ? "*" : first_bind) + ":" +
                     std::to_string(config_.port != 0 ? config_.port : tls_.port);
  vars.port = std::to_string(config_.port);
  vars.tls_port = std::to_string(tls_.port);
  vars.unixsocket = config_.unixsocket;
  vars.config_file = config_file_;
  return vars;
}

void Server::ApplyProcTitle() {
  if (!set_proc_title_) {
    return;
  }
  std::optional<std::string> title =
      ExpandProcTitleTemplate(proc_title_template_, ProcTitleVars(executable_));
  if (title) {
    SetProcTitle(*title);
  }
}

void Server::RegisterProcessParameters(ParameterTable& t) {
  // A new OOM setting applies at once at run time (at Start when read from the config).
  auto apply_oom = [this](bool startup) -> Status {
    if (!startup && !ApplyOomScoreAdjForRole().ok()) {
      return Status::InvalidArgument("Failed to set current oom_score_adj. Check server logs.");
    }
    return Status::Ok();
  };
  t.Add({.name = "oom-score-adj",
         .get = [this] { return FormatOomScoreAdjMode(oom_.mode); },
         .set = [this, apply_oom](std::string_view v, bool startup) -> Status {
           OomScoreAdjMode mode;
           CAIRN_RETURN_IF_ERROR(ParseOomScoreAdjMode(v, &mode));
           oom_.mode = mode;
           return apply_oom(startup);
         }});
  t.Add({.name = "oom-score-adj-values",
         .flags = Parameter::kMultiArg,
         .get = [this] { return FormatOomScoreAdjValues(oom_.values); },
         .set = [this, apply_oom](std::string_view v, bool startup) -> Status {
           CAIRN_RETURN_IF_ERROR(ParseOomScoreAdjValues(v, &oom_.values));
           return apply_oom(startup);
         }});
  // As Redis 7: jemalloc purges dirty pages in its own threads rather than inside a malloc or
  // free on the command thread. Applied at Start, and at once by CONFIG SET.
  t.Add({.name = "jemalloc-bg-thread",
         .get = [this] { return YesNo(jemalloc_bg_thread_); },
         .set = [this](std::string_view v, bool startup) -> Status {
           CAIRN_RETURN_IF_ERROR(BoolSetter(&jemalloc_bg_thread_)(v, startup));
           if (!startup) {
             SetAllocatorBackgroundThread(jemalloc_bg_thread_);
           }
           return Status::Ok();
         }});
  t.Add({.name = "disable-thp",
         .flags = Parameter::kImmutable,
         .get = [this] { return YesNo(disable_thp_); },
         .set = BoolSetter(&disable_thp_)});
  // Never on: the stock jemalloc lacks what active defragmentation needs (Redis's text).
  t.Add({.name = "activedefrag",
         .get = [] { return YesNo(false); },
         .set = [](std::string_view v, bool startup) -> Status {
           bool on = false;
           CAIRN_RETURN_IF_ERROR(BoolSetter(&on)(v, startup));
           if (on) {
             return Status::InvalidArgument(
                 "Active defragmentation cannot be enabled: it requires a Redis server compiled "
                 "with a modified Jemalloc like the one shipped by default with the Redis source "
                 "distribution");
           }
           return Status::Ok();
         }});
  t.Add(StoredInt("active-defrag-cycle-min", 1, 1, 99));
  t.Add(StoredInt("active-defrag-cycle-max", 25, 1, 99));
  t.Add(StoredInt("active-defrag-ignore-bytes", 100 << 20, 1, INT64_MAX, Parameter::kNone, true));
  t.Add(StoredInt("active-defrag-max-scan-fields", 1000, 1, INT64_MAX));
  t.Add(StoredInt("active-defrag-threshold-lower", 10, 0, 1000));
  t.Add(StoredInt("active-defrag-threshold-upper", 100, 0, 1000));
  for (const char* name : {"bgsave_cpulist", "bio_cpulist", "server_cpulist"}) {
    t.Add(Stored(name, "", {}, Parameter::kImmutable));
  }
  t.Add(Stored("bind-source-addr", ""));
  t.Add(StoredBool("crash-log-enabled", true));
  t.Add(StoredBool("crash-memcheck-enabled", true));
  t.Add(Stored("enable-module-command", "no", {"no", "yes", "local"}, Parameter::kImmutable));
  t.Add(Stored("ignore-warnings", ""));
  // As Redis's validateProcTitleTemplate: it must expand, with an empty title, to non-blank text.
  t.Add({.name = "proc-title-template",
         .get = [this] { return proc_title_template_; },
         .set = [this](std::string_view v, bool startup) -> Status {
           std::optional<std::string> expanded = ExpandProcTitleTemplate(v, ProcTitleVars(""));
           if (!expanded || expanded->empty()) {
             return Status::InvalidArgument(
                 "template format is invalid or contains unknown variables");
           }
           proc_title_template_ = std::string(v);
           if (!startup) {
             ApplyProcTitle();
           }
           return Status::Ok();
         }});
  t.Add(Stored("propagation-error-behavior", "ignore", {"ignore", "panic", "panic-on-replicas"}));
  t.Add(StoredBool("rdb-del-sync-files", false));
  t.Add(StoredBool("rdb-save-incremental-fsync", true));
  t.Add(StoredBool("repl-disable-tcp-nodelay", false));
  t.Add(Stored("repl-diskless-load", "disabled", {"disabled", "on-empty-db", "swapdb"}));
  t.Add(StoredInt("repl-diskless-sync-max-replicas", 0, 0, INT32_MAX));
  t.Add(Aliased(Stored("replica-announce-ip", ""), "slave-announce-ip"));
  t.Add(Aliased(StoredInt("replica-announce-port", 0, 0, 65535), "slave-announce-port"));
  t.Add(StoredBool("replica-announced", true));
  t.Add(StoredBool("replica-ignore-disk-write-errors", false));
  t.Add(Aliased(StoredBool("replica-ignore-maxmemory", true), "slave-ignore-maxmemory"));
  t.Add(Aliased(StoredBool("replica-lazy-flush", false), "slave-lazy-flush"));
  t.Add(Stored("sanitize-dump-payload", "no", {"no", "yes", "clients"}));
  t.Add(StoredInt("socket-mark-id", 0, 0, UINT32_MAX, Parameter::kImmutable));
  t.Add(StoredBool("syslog-enabled", false, Parameter::kImmutable));
  t.Add(Stored(
      "syslog-facility", "local0",
      {"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"},
      Parameter::kImmutable));
  t.Add(Stored("syslog-ident", "redis", {}, Parameter::kImmutable));
  t.Add(StoredInt("tracking-table-max-keys", 1000000, 0, INT64_MAX));
}

Status Server::Configure(int argc, char** argv) {
  executable_ = argc > 0 ? argv[0] : "cairn-server";
  std::string text;
  int i = 1;
  if (argc > 1 && argv[1][0] != '-') {
    // Absolute, as Redis keeps it: `dir` may chdir before CONFIG REWRITE needs the file.
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(argv[1], ec);
    config_file_ = ec ? std::string(argv[1]) : absolute.lexically_normal().string();
    std::ifstream in(config_file_);
    if (!in) {
      return Status::InvalidArgument("Fatal error, can't open config file '" + config_file_ +
                                     "': " + std::strerror(errno));
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
    i = 2;
  }
  // "--name v1 v2 --other x" becomes the lines "name v1 v2" and "other x", as redis-server does.
  std::string options;
  for (; i < argc; i++) {
    std::string_view a = argv[i];
    if (a.starts_with("--") && a.size() > 2) {
      if (!options.empty()) {
        options += '\n';
      }
      options += std::string(a.substr(2));
    } else {
      options += ' ';
      options += QuoteRepr(a);
    }
  }
  // As redis-server: the options follow the file after one more newline, so they start on a line
  // of their own and error reports count lines the same way.
  if (!options.empty()) {
    text += "\n" + options;
  }
  std::istringstream lines(text);
  std::string line;
  int lineno = 0;
  while (std::getline(lines, line)) {
    lineno++;
    std::string_view trimmed = line;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) {
      trimmed.remove_prefix(1);
    }
    if (trimmed.empty() || trimmed.front() == '#') {
      continue;
    }
    std::vector<std::string> args;
    std::string error;
    if (!protocol::SplitInlineArgs(trimmed, &args)) {
      error = "Unbalanced quotes in configuration line";
    } else if (!args.empty()) {
      const Parameter* p = parameters_.Find(args[0]);
      std::string value;
      for (size_t k = 1; k < args.size(); k++) {
        value += (k > 1 ? " " : "") + args[k];
      }
      if (p == nullptr) {
        error = "Bad directive or wrong number of arguments";
      } else if (args.size() != 2 && (p->flags & Parameter::kMultiArg) == 0) {
        error = "wrong number of arguments";
      } else {
        Status s = p->set(args.size() == 1 ? "" : value, /*startup=*/true);
        if (!s.ok()) {
          error = std::string(s.message());
        }
      }
    }
    if (!error.empty()) {
      return Status::InvalidArgument(
          "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
          "Reading the configuration file, at line " +
          std::to_string(lineno) + "\n>>> '" + line + "'\n" + error);
    }
  }
  return Status::Ok();
}

}  // namespace cairn::server
