// The script runtime: cache, run state, redis.call's checks (Redis 7.0's scriptCall order and
// texts), effects replication and the busy-script hook.
#include "dataplane/commands/scripting.h"

#include <sys/uio.h>

#include <cctype>
#include <cstdio>

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include "dataplane/base/errors.h"
#include "dataplane/commands/access_control.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/dispatch.h"

namespace cairn::commands {
namespace {

// Redis's script client: SELECT stays inside the script, blocking commands do not block.
class ScriptClient final : public Client {
 public:
  ScriptClient() : Client(0, 0) {
    addr = "lua";
    set_flag(kClientMulti);
  }
};

}  // namespace

std::string Sha1Hex(std::string_view body) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; i++) {
    std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  }
  return std::string(hex, 2 * SHA_DIGEST_LENGTH);
}

Scripting& GetScripting(ServerState& server) {
  if (server.scripting == nullptr) {
    server.scripting = std::make_shared<Scripting>(server);
  }
  return *server.scripting;
}

Scripting::Scripting(ServerState& server)
    : server_(server),
      engine_(std::make_unique<scripting::LuaEngine>(scripting::kDefaultMaxLuaMemoryBytes,
                                                     /*for_functions=*/false, &random_)),
      script_client_(std::make_unique<ScriptClient>()) {
  script_client_->reply().set_error_observer(&server_.stats());
}

Scripting::~Scripting() = default;

Result<std::string> Scripting::Load(std::string_view body) {
  std::string sha = Sha1Hex(body);
  if (scripts_.contains(sha)) {
    return sha;
  }
  Result<scripting::Shebang> shebang = scripting::ParseShebang(body);
  if (!shebang.ok()) {
    return shebang.status();
  }
  CAIRN_RETURN_IF_ERROR(engine_->Compile("f_" + sha, body.substr(shebang->length)));
  scripts_[sha] = CachedScript{std::string(body), shebang->flags};
  return sha;
}

const CachedScript* Scripting::Find(std::string_view sha) const {
  std::string lower(sha);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  auto it = scripts_.find(lower);
  return it == scripts_.end() ? nullptr : &it->second;
}

void Scripting::Flush() {
  scripts_.clear();
  engine_ = std::make_unique<scripting::LuaEngine>(scripting::kDefaultMaxLuaMemoryBytes,
                                                   /*for_functions=*/false, &random_);
}

size_t Scripting::memory_bytes() const {
  return engine_->used_memory();
}

size_t Scripting::scripts_bytes() const {
  size_t bytes = 0;
  for (const auto& [sha, script] : scripts_) {
    bytes += sha.size() + script.body.size();
  }
  return bytes;
}

uint32_t Scripting::CommandFlags(const Scripting* scripting, const CommandSpec& spec,
                                 const std::vector<std::string_view>& args) {
  // Only the eval and fcall families have no-mandatory-keys: one bit test for every other command.
  if (args.size() < 2 || (spec.flags & kNoMandatoryKeys) == 0) {
    return spec.flags;
  }
  std::optional<uint32_t> script_flags;
  if (spec.name == "eval" || spec.name == "eval_ro") {
    if (args[1].starts_with("#!")) {
      Result<scripting::Shebang> shebang = scripting::ParseShebang(args[1]);
      if (shebang.ok()) {
        script_flags = shebang->flags;
      }
    }
  } else if (spec.name == "evalsha" || spec.name == "evalsha_ro") {
    const CachedScript* script = scripting != nullptr ? scripting->Find(args[1]) : nullptr;
    if (script != nullptr) {
      script_flags = script->flags;
    }
  } else if (spec.name == "fcall" || spec.name == "fcall_ro") {
    if (scripting != nullptr && scripting->functions_ != nullptr) {
      if (const FunctionInfo* function = scripting->functions_->Find(args[1]);
          function != nullptr) {
        script_flags = function->flags;
      }
    }
  }
  if (!script_flags || (*script_flags & scripting::kScriptEvalCompat) != 0) {
    return spec.flags;
  }
  // Redis's scriptFlagsToCmdFlags.
  uint32_t flags = spec.flags & ~(kWrite | kDenyOom | kStale);
  if ((*script_flags & (scripting::kScriptAllowOom | scripting::kScriptNoWrites)) == 0) {
    flags |= kDenyOom;
  }
  if ((*script_flags & scripting::kScriptNoWrites) == 0) {
    flags |= kWrite;
  }
  if ((*script_flags & scripting::kScriptAllowStale) != 0) {
    flags |= kStale;
  }
  return flags;
}

std::string Scripting::CheckBeforeRun(const Client& caller, uint32_t flags, bool read_only) {
  bool obey = caller.has_flag(kClientPrimary);
  bool running_stale =
      server_.replication != nullptr && server_.replication->DeniesStaleData() && !obey;
  if ((flags & scripting::kScriptEvalCompat) != 0) {
    // Redis: a script without a shebang never starts on a stale replica.
    return running_stale ? kErrMasterDown : "";
  }
  if (obey) {
    return "";
  }
  if (running_stale && (flags & scripting::kScriptAllowStale) == 0) {
    return "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and "
           "'allow-stale' flag is not set";
  }
  bool oom = server_.keyspace().config().maxmemory_bytes > 0 &&
             !server_.keyspace().PerformEvictions().ok();
  if ((flags & scripting::kScriptAllowOom) == 0 && oom &&
      (flags & scripting::kScriptNoWrites) == 0) {
    return kErrOom;
  }
  if ((flags & scripting::kScriptNoWrites) != 0) {
    return "";
  }
  if (server_.replication != nullptr && server_.replication->RejectsWrites()) {
    return "READONLY Can not run script with write flag on readonly replica";
  }
  if (server_.snapshots != nullptr) {
    if (std::string refusal = server_.snapshots->WriteRefusal(); !refusal.empty()) {
      return refusal;
    }
  }
  if (read_only) {
    return "ERR Can not execute a script with write flag using *_ro command.";
  }
  if (server_.replication != nullptr && !server_.replication->EnoughGoodReplicas()) {
    return kErrNoReplicas;
  }
  return "";
}

void Scripting::BeginRun(CommandContext& ctx, bool is_eval, bool read_only, uint32_t flags) {
  Client& caller = ctx.client();
  run_ = std::make_unique<ScriptRun>();
  run_->command.assign(ctx.args().begin(), ctx.args().end());
  run_->caller = &caller;
  run_->is_eval = is_eval;
  run_->flags = flags;
  run_->read_only = read_only || ((flags & scripting::kScriptEvalCompat) == 0 &&
                                  (flags & scripting::kScriptNoWrites) != 0);
  run_->oom = server_.keyspace().config().maxmemory_bytes > 0 &&
              !server_.keyspace().PerformEvictions().ok();
  run_->start_us = server_.clock().MonotonicUs();
  script_client_->db_index = caller.db_index;
  script_client_->set_resp(2);
  // Commands run as the caller's user, as Redis's script client does (SORT's BY/GET check).
  script_client_->acl_user = caller.acl_user;
  script_client_->user = caller.user;
}

void Scripting::EndRun() {
  if (run_->busy) {
    spdlog::warn("slow script finished after {} ms",
                 (server_.clock().MonotonicUs() - run_->start_us) / 1000);
  }
  server_.script_busy = 0;
  PropagateEffects();
  run_.reset();
  script_client_->acl_user = nullptr;  // the user may be deleted before the next run
  script_client_->user = "default";
}

void Scripting::RunEval(CommandContext& ctx, const std::string& sha, bool read_only,
                        const std::vector<std::string_view>& keys,
                        const std::vector<std::string_view>& argv) {
  const CachedScript* script = Find(sha);
  std::string error = CheckBeforeRun(ctx.client(), script->flags, read_only);
  if (!error.empty()) {
    ctx.reply().Error(error);
    return;
  }
  BeginRun(ctx, true, read_only, script->flags);
  run_->name = sha;
  engine_->Run("f_" + sha, sha, keys, argv, *this, ctx.reply());
  EndRun();
}

FunctionStore& Scripting::functions() {
  if (functions_ == nullptr) {
    functions_ = std::make_unique<FunctionStore>(random_);
  }
  return *functions_;
}

void Scripting::RunFunction(CommandContext& ctx, const FunctionInfo& function, bool read_only,
                            const std::vector<std::string_view>& keys,
                            const std::vector<std::string_view>& args) {
  std::string error = CheckBeforeRun(ctx.client(), function.flags, read_only);
  if (!error.empty()) {
    ctx.reply().Error(error);
    return;
  }
  BeginRun(ctx, false, read_only, function.flags);
  run_->name = function.name;
  functions().engine().CallFunction(function.library, function.name, keys, args, *this,
                                    ctx.reply());
  EndRun();
}

// Writes reach replicas as the commands the script ran; several are wrapped in MULTI/EXEC so
// that replicas apply them atomically (Redis 7.0 propagates a single one bare). Inside EXEC the
// transaction already wraps them.
void Scripting::PropagateEffects() {
  std::vector<std::pair<int, std::vector<std::string>>> effects = std::move(run_->effects);
  ReplicationHooks* replication = server_.replication;
  if (effects.empty() || replication == nullptr || run_->caller->has_flag(kClientPrimary)) {
    return;
  }
  bool wrap = effects.size() > 1 && !run_->caller->has_flag(kClientMulti);
  if (wrap) {
    replication->BeginTransaction();
  }
  for (const auto& [db, args] : effects) {
    std::vector<std::string_view> views(args.begin(), args.end());
    replication->Propagate(db, views);
  }
  if (wrap) {
    replication->EndTransaction();
  }
}

std::string Scripting::TakeOutput() {
  protocol::OutputBuffer& out = script_client_->out();
  std::string bytes;
  bytes.reserve(out.size());
  struct iovec iov[16];
  while (!out.empty()) {
    int n = out.FillIovecs(iov, 16);
    size_t taken = 0;
    for (int i = 0; i < n; i++) {
      bytes.append(static_cast<const char*>(iov[i].iov_base), iov[i].iov_len);
      taken += iov[i].iov_len;
    }
    out.Consume(taken);
  }
  return bytes;
}

// Redis 7.0's scriptCall checks, in its order, as error replies.
std::string Scripting::CheckCommand(const CommandSpec& spec,
                                    const std::vector<std::string_view>& argv) {
  int argc = static_cast<int>(argv.size());
  if ((spec.arity > 0 && spec.arity != argc) || argc < -spec.arity) {
    return "-ERR Wrong number of args calling Redis command from script\r\n";
  }
  if ((spec.flags & kNoScript) != 0) {
    return "-ERR This Redis command is not allowed from script\r\n";
  }
  std::string denied = CheckAcl(spec, argv);
  if (!denied.empty()) {
    return denied;
  }
  if ((spec.flags & kWrite) != 0) {
    std::string refused = CheckWrite(spec);
    if (!refused.empty()) {
      return refused;
    }
  }
  // Redis's scriptVerifyAllowStale: an allow-stale script on a stale replica runs only the
  // commands flagged stale.
  if (server_.replication != nullptr && server_.replication->DeniesStaleData() &&
      (spec.flags & kStale) == 0) {
    return "-ERR Can not execute the command on a stale replica\r\n";
  }
  return "";
}

// CheckCommand's checks for a write command, in scriptCall's order.
std::string Scripting::CheckWrite(const CommandSpec& spec) {
  if (run_->read_only) {
    return "-ERR Write commands are not allowed from read-only scripts.\r\n";
  }
  bool obey = run_->caller->has_flag(kClientPrimary);
  if (!obey && server_.snapshots != nullptr) {
    if (std::string refusal = server_.snapshots->WriteRefusal(); !refusal.empty()) {
      return "-" + refusal + "\r\n";
    }
  }
  if (!obey && server_.replication != nullptr && server_.replication->RejectsWrites()) {
    return "-" + std::string(kErrReadOnly) + "\r\n";
  }
  if ((run_->flags & scripting::kScriptAllowOom) == 0 && !obey && run_->oom && !run_->wrote &&
      (spec.flags & kDenyOom) != 0) {
    return "-" + std::string(kErrOom) + "\r\n";
  }
  return "";
}

// A command refused before it ran counts in INFO errorstats at once, charged to that command as
// Redis's scriptCall does; the error table redis.call makes of it is then marked as counted.
std::string Scripting::Rejected(std::string error) {
  server_.stats().OnErrorReply(std::string_view(error).substr(1, error.find(' ') - 1));
  server_.stats().ChargeNewErrors();
  return error;
}

std::string Scripting::Call(const std::vector<std::string>& args, int resp) {
  std::vector<std::string_view> argv(args.begin(), args.end());
  const CommandSpec* spec = LookupCommand(server_.table(), argv);
  if (spec == nullptr) {
    return Rejected("-ERR Unknown Redis command called from script\r\n");
  }
  std::string error = CheckCommand(*spec, argv);
  if (!error.empty()) {
    spec->rejected_calls++;
    return Rejected(std::move(error));
  }
  if (spec->is_container()) {  // CheckCommand failed its arity already
    return error;
  }
  if ((spec->flags & kWrite) != 0) {
    run_->wrote = true;
  }
  script_client_->set_resp(resp);
  // What the command propagates is collected, not sent: effects go out when the script ends.
  size_t effects_before = run_->effects.size();
  server_.propagate_capture = &run_->effects;
  commands::Call(server_, *script_client_, *spec, argv);
  server_.propagate_capture = nullptr;
  if ((run_->repl_flags & 2) == 0) {
    run_->effects.resize(effects_before);  // redis.set_repl without REPL_REPLICA
  }
  return TakeOutput();
}

void Scripting::Log(int level, std::string_view message) {
  static constexpr spdlog::level::level_enum kLevels[] = {
      spdlog::level::debug, spdlog::level::debug, spdlog::level::info, spdlog::level::warn};
  spdlog::log(kLevels[level], "script: {}", message);
}

void Scripting::SetReplication(int flags) {
  if (run_ != nullptr) {
    run_->repl_flags = flags;
  }
}

bool Scripting::CommandExists(const std::vector<std::string>& args) {
  std::vector<std::string_view> argv(args.begin(), args.end());
  const CommandSpec* spec = LookupCommand(server_.table(), argv);
  return spec != nullptr;
}

bool Scripting::CommandAllowed(const std::vector<std::string>& args) {
  std::vector<std::string_view> argv(args.begin(), args.end());
  const CommandSpec* spec = LookupCommand(server_.table(), argv);
  if (spec == nullptr || run_ == nullptr || run_->caller == nullptr) {
    return spec != nullptr;
  }
  return CheckPermission(ClientUser(server_, *run_->caller), *spec, argv).ok();
}

// Redis's scriptVerifyACL: the calling user's permissions, logged with context "lua".
std::string Scripting::CheckAcl(const CommandSpec& spec,
                                const std::vector<std::string_view>& argv) {
  Client* caller = run_->caller;
  if (caller == nullptr || caller->has_flag(kClientPrimary)) {
    return "";
  }
  security::AclVerdict v = CheckPermission(ClientUser(server_, *caller), spec, argv);
  if (v.ok()) {
    return "";
  }
  LogDenial(server_, *caller, spec, argv, v, "lua");
  switch (v.denial) {
    case security::AclDenial::kCommand:
      return "-ERR The user executing the script can't run this command or subcommand\r\n";
    case security::AclDenial::kKey:
      return "-ERR The user executing the script can't access at least one of the keys "
             "mentioned in the command arguments\r\n";
    default:
      return "-ERR The user executing the script can't publish to the channel mentioned in the "
             "command\r\n";
  }
}

std::string Scripting::OnHook() {
  if (run_ == nullptr) {
    return "";
  }
  int64_t elapsed_ms = (server_.clock().MonotonicUs() - run_->start_us) / 1000;
  if (!run_->busy) {
    int64_t threshold = server_.config().busy_reply_threshold_ms;
    if (threshold <= 0 || elapsed_ms < threshold) {
      return "";
    }
    run_->busy = true;
    server_.script_busy = run_->is_eval ? 1 : 2;
    spdlog::warn(
        "Slow script detected: still in execution after {} milliseconds. You can try killing the "
        "script using the {} command.",
        elapsed_ms, run_->is_eval ? "SCRIPT KILL" : "FUNCTION KILL");
  }
  if (server_.serve_while_busy && server_.serve_while_busy(*run_->caller)) {
    return "Script killed by a server shutdown";
  }
  if (run_->kill) {
    spdlog::warn("Lua script killed by user with SCRIPT KILL.");
    return kErrScriptKilled;  // Redis 7.0 says SCRIPT KILL for functions too
  }
  return "";
}

std::string Scripting::Kill(bool is_eval) {
  if (run_ == nullptr) {
    return kErrNotBusy;
  }
  if (run_->caller->has_flag(kClientPrimary)) {
    return "UNKILLABLE The busy script was sent by a master instance in the context of "
           "replication and cannot be killed.";
  }
  if (run_->wrote) {
    return kErrUnkillable;
  }
  if (is_eval != run_->is_eval) {  // SCRIPT KILL for a function, FUNCTION KILL for a script
    return is_eval ? kErrBusyFunction : kErrBusyEval;
  }
  run_->kill = true;
  return "";
}

}  // namespace cairn::commands
