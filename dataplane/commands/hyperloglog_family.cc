// HyperLogLog commands (Redis 7.0 hyperloglog.c semantics): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
// PFSELFTEST. A HyperLogLog is a string value in Redis's exact byte format; the codec and the
// estimator are in engine/types/hyperloglog. Like Redis, the commands that edit a key first make
// its value a private "raw" string (dbUnshareStringValue) and then edit it in place.
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/entry.h"
#include "dataplane/engine/types/hyperloglog.h"
#include "dataplane/engine/types/string.h"

namespace cairn::commands {
namespace {

namespace hll = engine::hll;
using engine::RawString;

// The HyperLogLog at `key` (isHLLObjectOrReply): nullopt when missing; WRONGTYPE for another
// type, "not a valid HyperLogLog" for a string without a valid header. `write` picks Redis's
// lookupKeyWrite over lookupKeyRead.
Result<std::optional<std::string_view>> LookupHll(engine::Db& db, std::string_view key,
                                                  bool write) {
  engine::Entry* e = write ? db.LookupWrite(key) : db.LookupRead(key);
  if (e == nullptr) {
    return std::optional<std::string_view>();
  }
  if (e->type() != engine::ValueType::kString) {
    return Status::FailedPrecondition(kErrWrongType);
  }
  std::string_view value = e->string_value();
  if (!hll::IsValid(value)) {
    return Status::FailedPrecondition(kErrHllNotHll);
  }
  return std::optional<std::string_view>(value);
}

// The string at `key` as a private raw value to edit in place (dbUnshareStringValue); a missing
// key is created as an empty HyperLogLog. REQUIRES: the key is missing or holds a string.
RawString* Unshare(CommandContext& ctx, std::string_view key) {
  bool created = false;
  Result<RawString*> raw = engine::strings::MutableString(ctx.db(), key, 0, &created);
  CAIRN_CHECK(raw.ok());
  if (created) {
    std::string empty = hll::NewSparse();
    (*raw)->Append(empty);
  }
  return *raw;
}

// Replaces the bytes of `raw` with `value`.
void Store(RawString* raw, std::string_view value) {
  if (raw->view() == value) {
    return;
  }
  raw->Resize(value.size());
  std::memcpy(raw->mutable_data(), value.data(), value.size());
}

uint8_t* DenseRegisters(RawString* raw) {
  return reinterpret_cast<uint8_t*>(raw->mutable_data()) + hll::kHeaderBytes;
}

// Adds ctx.arg(2..) to the HyperLogLog in `raw`. Returns the number of elements that changed a
// register, or nullopt when the sparse data is corrupt (edits made before stay, as in Redis).
std::optional<int64_t> AddElements(CommandContext& ctx, RawString* raw) {
  int64_t changed = 0;
  if (hll::EncodingOf(raw->view()) == hll::kEncodingDense) {
    for (size_t i = 2; i < ctx.argc(); i++) {
      changed += hll::DenseAdd(DenseRegisters(raw), ctx.arg(i)) ? 1 : 0;
    }
    return changed;
  }
  std::string value(raw->view());
  bool corrupt = false;
  for (size_t i = 2; i < ctx.argc() && !corrupt; i++) {
    hll::SetResult r = hll::Add(&value, ctx.arg(i), ctx.config().hll_sparse_max_bytes);
    changed += r == hll::SetResult::kChanged ? 1 : 0;
    corrupt = r == hll::SetResult::kCorrupt;
  }
  Store(raw, value);
  return corrupt ? std::nullopt : std::optional<int64_t>(changed);
}

// PFADD key [element ...]: 1 when the key was created or a register changed, else 0.
void CmdPfAdd(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Result<std::optional<std::string_view>> found = LookupHll(ctx.db(), key, true);
  if (ctx.ReplyIfError(found)) {
    return;
  }
  int64_t updated = found->has_value() ? 0 : 1;
  RawString* raw = Unshare(ctx, key);
  std::optional<int64_t> changed = AddElements(ctx, raw);
  if (!changed) {
    ctx.reply().Error(kErrHllCorrupt);
    return;
  }
  updated += *changed;
  if (updated > 0) {
    hll::InvalidateCache(raw->mutable_data());
    ctx.SignalModified(key);
    ctx.Notify(kNotifyString, "pfadd", key);
    ctx.MarkWritten(updated);
  }
  ctx.reply().Integer(updated > 0 ? 1 : 0);
}

// PFCOUNT key key [key ...]: the estimated cardinality of the union, computed in a scratch
// register array; nothing is written.
void PfCountUnion(CommandContext& ctx) {
  hll::RawRegisters max{};
  for (size_t i = 1; i < ctx.argc(); i++) {
    Result<std::optional<std::string_view>> found = LookupHll(ctx.db(), ctx.arg(i), false);
    if (ctx.ReplyIfError(found)) {
      return;
    }
    if (found->has_value() && !hll::MergeInto(**found, &max)) {
      ctx.reply().Error(kErrHllCorrupt);
      return;
    }
  }
  ctx.reply().Integer(static_cast<int64_t>(hll::CountRaw(max)));
}

// PFCOUNT key [key ...]: with one key, the cached cardinality, or a fresh estimate that is then
// cached in the value. Updating the cache modifies the key: as Redis, it signals the key, counts
// a change and propagates the PFCOUNT to replicas.
void CmdPfCount(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    PfCountUnion(ctx);
    return;
  }
  std::string_view key = ctx.arg(1);
  Result<std::optional<std::string_view>> found = LookupHll(ctx.db(), key, false);
  if (ctx.ReplyIfError(found)) {
    return;
  }
  if (!found->has_value()) {
    ctx.reply().Integer(0);
    return;
  }
  RawString* raw = Unshare(ctx, key);
  if (std::optional<uint64_t> cached = hll::CachedCardinality(raw->view())) {
    ctx.reply().Integer(static_cast<int64_t>(*cached));
    return;
  }
  bool invalid = false;
  uint64_t card = hll::Count(raw->view(), &invalid);
  if (invalid) {
    ctx.reply().Error(kErrHllCorrupt);
    return;
  }
  hll::SetCachedCardinality(raw->mutable_data(), card);
  ctx.SignalModified(key);
  ctx.MarkWritten();
  ctx.reply().Integer(static_cast<int64_t>(card));
}

// PFMERGE destkey [sourcekey ...]: stores the register-wise maximum of every given key (the
// destination included) at destkey, created when missing; dense when any input is dense.
void CmdPfMerge(CommandContext& ctx) {
  hll::RawRegisters max{};
  bool use_dense = false;
  for (size_t i = 1; i < ctx.argc(); i++) {
    Result<std::optional<std::string_view>> found = LookupHll(ctx.db(), ctx.arg(i), false);
    if (ctx.ReplyIfError(found)) {
      return;
    }
    if (!found->has_value()) {
      continue;
    }
    use_dense = use_dense || hll::EncodingOf(**found) == hll::kEncodingDense;
    if (!hll::MergeInto(**found, &max)) {
      ctx.reply().Error(kErrHllCorrupt);
      return;
    }
  }
  std::string_view dest = ctx.arg(1);
  RawString* raw = Unshare(ctx, dest);
  std::string value(raw->view());
  if (use_dense && !hll::SparseToDense(&value)) {
    ctx.reply().Error(kErrHllCorrupt);
    return;
  }
  for (int j = 0; j < hll::kRegisters; j++) {
    if (max[j] != 0) {
      // A corrupt destination was already refused above, so results are not checked (Redis
      // ignores them too).
      hll::SetRegister(&value, j, max[j], ctx.config().hll_sparse_max_bytes);
    }
  }
  hll::InvalidateCache(value.data());
  Store(raw, value);
  ctx.SignalModified(dest);
  ctx.Notify(kNotifyString, "pfadd", dest);  // Redis reports a merge as a mass PFADD
  ctx.MarkWritten();
  ctx.reply().Ok();
}

// PFDEBUG GETREG / TODENSE: converts a sparse value to dense in place. Returns false after
// replying when the sparse data is corrupt; `converted` says whether it was sparse. A conversion
// counts as a change (so it propagates) without signalling the key, as in Redis.
bool EnsureDense(CommandContext& ctx, RawString* raw, bool* converted) {
  *converted = hll::EncodingOf(raw->view()) == hll::kEncodingSparse;
  if (!*converted) {
    return true;
  }
  std::string value(raw->view());
  if (!hll::SparseToDense(&value)) {
    ctx.reply().Error(kErrHllCorrupt);
    return false;
  }
  Store(raw, value);
  ctx.MarkWritten();
  return true;
}

void PfDebugGetReg(CommandContext& ctx, RawString* raw) {
  bool converted = false;
  if (!EnsureDense(ctx, raw, &converted)) {
    return;
  }
  ctx.reply().ArrayHeader(hll::kRegisters);
  for (int j = 0; j < hll::kRegisters; j++) {
    ctx.reply().Integer(hll::GetDenseRegister(DenseRegisters(raw), j));
  }
}

void PfDebugToDense(CommandContext& ctx, RawString* raw) {
  bool converted = false;
  if (EnsureDense(ctx, raw, &converted)) {
    ctx.reply().Integer(converted ? 1 : 0);
  }
}

void PfDebugDecode(CommandContext& ctx, RawString* raw) {
  if (hll::EncodingOf(raw->view()) != hll::kEncodingSparse) {
    ctx.reply().Error(kErrPfdebugNotSparse);
    return;
  }
  ctx.reply().Bulk(hll::DecodeSparse(raw->view()));
}

void PfDebugEncoding(CommandContext& ctx, RawString* raw) {
  ctx.reply().Simple(hll::EncodingOf(raw->view()) == hll::kEncodingDense ? "dense" : "sparse");
}

struct PfDebugSubcommand {
  std::string_view name;
  void (*run)(CommandContext& ctx, RawString* raw);
};
constexpr PfDebugSubcommand kPfDebugSubcommands[] = {
    {"getreg", PfDebugGetReg},
    {"decode", PfDebugDecode},
    {"encoding", PfDebugEncoding},
    {"todense", PfDebugToDense},
};

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key: internal introspection. The key is checked before
// the subcommand name, as in Redis.
void CmdPfDebug(CommandContext& ctx) {
  std::string_view key = ctx.arg(2);
  Result<std::optional<std::string_view>> found = LookupHll(ctx.db(), key, true);
  if (found.ok() && !found->has_value()) {
    ctx.reply().Error(kErrPfdebugNoKey);
    return;
  }
  if (ctx.ReplyIfError(found)) {
    return;
  }
  RawString* raw = Unshare(ctx, key);
  for (const PfDebugSubcommand& sub : kPfDebugSubcommands) {
    if (EqualsIgnoreCase(ctx.arg(1), sub.name)) {
      sub.run(ctx, raw);
      return;
    }
  }
  ctx.reply().Error(std::string(kErrPfdebugUnknownPrefix) + std::string(ctx.arg(1)) + "'");
}

// PFSELFTEST: runs the codec's self test (a few seconds: 10M elements); OK or "TESTFAILED ...".
void CmdPfSelfTest(CommandContext& ctx) {
  std::optional<std::string> failed = hll::SelfTest(ctx.config().hll_sparse_max_bytes);
  if (failed) {
    ctx.reply().Error(*failed);
  } else {
    ctx.reply().Ok();
  }
}

}  // namespace

void RegisterHyperLogLogFamily(CommandTable& table) {
  uint64_t hyperloglog = kAclHyperLogLog;
  // clang-format off
  table.Add({.name = "pfadd", .arity = -2, .flags = kWrite | kDenyOom | kFast,
             .categories = hyperloglog, .keys = {1, 1, 1}, .handler = CmdPfAdd});
  table.Add({.name = "pfcount", .arity = -2, .flags = kReadOnly, .categories = hyperloglog,
             .keys = {1, -1, 1}, .handler = CmdPfCount});
  table.Add({.name = "pfmerge", .arity = -2, .flags = kWrite | kDenyOom,
             .categories = hyperloglog, .keys = {1, -1, 1}, .handler = CmdPfMerge});
  table.Add({.name = "pfdebug", .arity = 3, .flags = kWrite | kDenyOom | kAdmin,
             .categories = hyperloglog, .keys = {2, 2, 1}, .handler = CmdPfDebug});
  table.Add({.name = "pfselftest", .arity = 1, .flags = kAdmin, .categories = hyperloglog,
             .handler = CmdPfSelfTest});
  // clang-format on
}

}  // namespace cairn::commands
