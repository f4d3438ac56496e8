// Bitmap commands (Redis 7.0 bitops.c semantics): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
// BITFIELD and BITFIELD_RO. Bitmaps are string values; the bit work is in engine/types/bitops.
#include <optional>
#include <string>
#include <vector>

#include "dataplane/base/errors.h"
#include "dataplane/base/strings.h"
#include "dataplane/commands/context.h"
#include "dataplane/commands/families.h"
#include "dataplane/engine/types/bitops.h"
#include "dataplane/engine/types/string.h"

namespace cairn::commands {
namespace {

namespace bits = engine::bits;
namespace strings = engine::strings;

// Parses a bit offset as getBitOffsetFromArgument does: a non-negative integer whose byte is
// below proto-max-bulk-len; with `hash`, "#n" means n * `field_bits`. Replies on error.
std::optional<uint64_t> ParseBitOffset(CommandContext& ctx, std::string_view text, bool hash,
                                       int field_bits) {
  bool use_hash = hash && !text.empty() && text[0] == '#';
  std::optional<int64_t> v = ParseInt64(use_hash ? text.substr(1) : text);
  if (v) {
    // Redis multiplies without an overflow check; do the same, in defined unsigned arithmetic.
    int64_t offset =
        use_hash
            ? static_cast<int64_t>(static_cast<uint64_t>(*v) * static_cast<uint64_t>(field_bits))
            : *v;
    if (offset >= 0 && (offset >> 3) < ctx.config().proto_max_bulk_len) {
      return static_cast<uint64_t>(offset);
    }
  }
  ctx.reply().Error(kErrBitOffset);
  return std::nullopt;
}

// SETBIT key offset value: the bit's previous value.
void CmdSetBit(CommandContext& ctx) {
  std::optional<uint64_t> offset = ParseBitOffset(ctx, ctx.arg(2), false, 0);
  if (!offset) {
    return;
  }
  std::optional<int64_t> on = ParseInt64(ctx.arg(3));
  if (!on || (*on & ~int64_t{1}) != 0) {
    ctx.reply().Error(kErrBitValue);
    return;
  }
  Result<bits::SetBitResult> r = bits::SetBit(ctx.db(), ctx.arg(1), *offset, *on == 1);
  if (ctx.ReplyIfError(r)) {
    return;
  }
  if (r->changed) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyString, "setbit", ctx.arg(1));
    ctx.MarkWritten();
  }
  ctx.reply().Integer(r->old_bit);
}

// GETBIT key offset: 0 past the end and for a missing key.
void CmdGetBit(CommandContext& ctx) {
  std::optional<uint64_t> offset = ParseBitOffset(ctx, ctx.arg(2), false, 0);
  if (!offset) {
    return;
  }
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  ctx.reply().Integer(bits::GetBit(v->value_or(std::string_view()), *offset));
}

// Parses BYTE|BIT; replies with a syntax error when it is neither.
std::optional<bool> ParseRangeUnit(CommandContext& ctx, std::string_view text) {
  if (EqualsIgnoreCase(text, "bit")) {
    return true;
  }
  if (EqualsIgnoreCase(text, "byte")) {
    return false;
  }
  ctx.reply().Error(kErrSyntax);
  return std::nullopt;
}

// BITCOUNT key [start end [BYTE|BIT]]: as in Redis 7.0 the key is read first, so a missing key
// answers 0 whatever the other arguments.
void CmdBitCount(CommandContext& ctx) {
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Integer(0);
    return;
  }
  std::string_view value = **v;
  if (ctx.argc() == 2) {
    ctx.reply().Integer(bits::PopCount(value));
    return;
  }
  if (ctx.argc() != 4 && ctx.argc() != 5) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  std::optional<int64_t> start = ParseInt64(ctx.arg(2));
  std::optional<int64_t> end = start ? ParseInt64(ctx.arg(3)) : std::nullopt;
  if (!end) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*start < 0 && *end < 0 && *start > *end) {
    ctx.reply().Integer(0);
    return;
  }
  std::optional<bool> in_bits = ctx.argc() == 5 ? ParseRangeUnit(ctx, ctx.arg(4)) : false;
  if (!in_bits) {
    return;
  }
  std::optional<bits::BitRange> range =
      bits::ResolveRange(static_cast<int64_t>(value.size()), *start, *end, *in_bits);
  ctx.reply().Integer(range ? bits::CountRange(value, *range) : 0);
}

struct BitPosArgs {
  int64_t start = 0;
  int64_t end = -1;
  bool end_given = false;
  bool in_bits = false;
};

// Parses BITPOS's [start [end [BYTE|BIT]]] in Redis's order (start, unit, end); replies on error.
bool ParseBitPosArgs(CommandContext& ctx, BitPosArgs* out) {
  if (ctx.argc() > 6) {
    ctx.reply().Error(kErrSyntax);
    return false;
  }
  if (ctx.argc() == 3) {
    return true;
  }
  std::optional<int64_t> start = ParseInt64(ctx.arg(3));
  if (!start) {
    ctx.reply().Error(kErrNotInteger);
    return false;
  }
  out->start = *start;
  if (ctx.argc() == 6) {
    std::optional<bool> in_bits = ParseRangeUnit(ctx, ctx.arg(5));
    if (!in_bits) {
      return false;
    }
    out->in_bits = *in_bits;
  }
  if (ctx.argc() >= 5) {
    std::optional<int64_t> end = ParseInt64(ctx.arg(4));
    if (!end) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
    out->end = *end;
    out->end_given = true;
  }
  return true;
}

// BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set to `bit` in the range, or -1. A
// missing key is all zeros. Looking for 0 without an explicit end treats the string as followed
// by zeros, so an all-ones range answers the bit just past it.
void CmdBitPos(CommandContext& ctx) {
  std::optional<int64_t> bit = ParseInt64(ctx.arg(2));
  if (!bit) {
    ctx.reply().Error(kErrNotInteger);
    return;
  }
  if (*bit != 0 && *bit != 1) {
    ctx.reply().Error(kErrBitArgument);
    return;
  }
  Result<std::optional<std::string_view>> v = strings::Get(ctx.db(), ctx.arg(1));
  if (ctx.ReplyIfError(v)) {
    return;
  }
  if (!v->has_value()) {
    ctx.reply().Integer(*bit == 1 ? -1 : 0);
    return;
  }
  BitPosArgs args;
  if (!ParseBitPosArgs(ctx, &args)) {
    return;
  }
  std::string_view value = **v;
  std::optional<bits::BitRange> range =
      bits::ResolveRange(static_cast<int64_t>(value.size()), args.start, args.end, args.in_bits);
  if (!range) {
    ctx.reply().Integer(-1);
    return;
  }
  int64_t pos = bits::FindFirst(value, *bit == 1, *range);
  if (pos < 0 && *bit == 0 && !args.end_given) {
    pos = range->last + 1;
  }
  ctx.reply().Integer(pos);
}

std::optional<bits::BitOpKind> ParseBitOpKind(std::string_view name) {
  if (EqualsIgnoreCase(name, "and")) {
    return bits::BitOpKind::kAnd;
  }
  if (EqualsIgnoreCase(name, "or")) {
    return bits::BitOpKind::kOr;
  }
  if (EqualsIgnoreCase(name, "xor")) {
    return bits::BitOpKind::kXor;
  }
  if (EqualsIgnoreCase(name, "not")) {
    return bits::BitOpKind::kNot;
  }
  return std::nullopt;
}

// BITOP AND|OR|XOR|NOT destkey key [key ...]: the length of the stored result.
void CmdBitOp(CommandContext& ctx) {
  std::optional<bits::BitOpKind> op = ParseBitOpKind(ctx.arg(1));
  if (!op) {
    ctx.reply().Error(kErrSyntax);
    return;
  }
  if (*op == bits::BitOpKind::kNot && ctx.argc() != 4) {
    ctx.reply().Error(kErrBitopNotSingleKey);
    return;
  }
  std::string_view dest = ctx.arg(2);
  std::vector<std::string_view> sources(ctx.args().begin() + 3, ctx.args().end());
  Result<bits::BitOpResult> r = bits::BitOp(ctx.db(), *op, dest, sources);
  if (ctx.ReplyIfError(r)) {
    return;
  }
  if (r->length > 0) {
    ctx.SignalModified(dest);
    ctx.Notify(kNotifyString, "set", dest);
    ctx.MarkWritten();
  } else if (r->deleted) {
    ctx.SignalModified(dest);
    ctx.Notify(kNotifyGeneric, "del", dest);
    ctx.MarkWritten();
  }
  ctx.reply().Integer(r->length);
}

// Parses a BITFIELD type: i1..i64 or u1..u63 (lower-case letter). Replies on error.
bool ParseFieldType(CommandContext& ctx, std::string_view text, bits::FieldOp* op) {
  bool ok = !text.empty() && (text[0] == 'i' || text[0] == 'u');
  if (ok) {
    op->is_signed = text[0] == 'i';
    // Redis reads the width as a C string: anything after a NUL byte is ignored.
    std::string_view digits = text.substr(1);
    digits = digits.substr(0, digits.find('\0'));
    std::optional<int64_t> width = ParseInt64(digits);
    ok = width && *width >= 1 && *width <= (op->is_signed ? 64 : 63);
    op->bits = ok ? static_cast<int>(*width) : 0;
  }
  if (!ok) {
    ctx.reply().Error(kErrBitfieldType);
  }
  return ok;
}

// Parses one GET/SET/INCRBY starting at argument `i` (its name); `kind` is already known.
bool ParseFieldOp(CommandContext& ctx, size_t i, bits::FieldOp* op) {
  if (!ParseFieldType(ctx, ctx.arg(i + 1), op)) {
    return false;
  }
  std::optional<uint64_t> offset = ParseBitOffset(ctx, ctx.arg(i + 2), true, op->bits);
  if (!offset) {
    return false;
  }
  op->offset = *offset;
  if (op->kind != bits::FieldOp::Kind::kGet) {
    std::optional<int64_t> value = ParseInt64(ctx.arg(i + 3));
    if (!value) {
      ctx.reply().Error(kErrNotInteger);
      return false;
    }
    op->value = *value;
  }
  return true;
}

std::optional<bits::Overflow> ParseOverflow(std::string_view name) {
  if (EqualsIgnoreCase(name, "wrap")) {
    return bits::Overflow::kWrap;
  }
  if (EqualsIgnoreCase(name, "sat")) {
    return bits::Overflow::kSat;
  }
  if (EqualsIgnoreCase(name, "fail")) {
    return bits::Overflow::kFail;
  }
  return std::nullopt;
}

// Parses BITFIELD's subcommands; OVERFLOW applies to the operations after it. Replies on error.
bool ParseBitfieldOps(CommandContext& ctx, std::vector<bits::FieldOp>* ops) {
  bits::Overflow overflow = bits::Overflow::kWrap;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view name = ctx.arg(i);
    size_t remaining = ctx.argc() - i - 1;
    bits::FieldOp op;
    op.overflow = overflow;
    if (EqualsIgnoreCase(name, "get") && remaining >= 2) {
      op.kind = bits::FieldOp::Kind::kGet;
    } else if (EqualsIgnoreCase(name, "set") && remaining >= 3) {
      op.kind = bits::FieldOp::Kind::kSet;
    } else if (EqualsIgnoreCase(name, "incrby") && remaining >= 3) {
      op.kind = bits::FieldOp::Kind::kIncrBy;
    } else if (EqualsIgnoreCase(name, "overflow") && remaining >= 1) {
      std::optional<bits::Overflow> parsed = ParseOverflow(ctx.arg(++i));
      if (!parsed) {
        ctx.reply().Error(kErrBitfieldOverflowType);
        return false;
      }
      overflow = *parsed;
      continue;
    } else {
      ctx.reply().Error(kErrSyntax);
      return false;
    }
    if (!ParseFieldOp(ctx, i, &op)) {
      return false;
    }
    i += op.kind == bits::FieldOp::Kind::kGet ? 2 : 3;
    ops->push_back(op);
  }
  return true;
}

// BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment]
// [OVERFLOW WRAP|SAT|FAIL] ..., and BITFIELD_RO (GET only): one reply per GET/SET/INCRBY.
void BitfieldGeneric(CommandContext& ctx, bool read_only) {
  std::vector<bits::FieldOp> ops;
  if (!ParseBitfieldOps(ctx, &ops)) {
    return;
  }
  if (read_only) {
    for (const bits::FieldOp& op : ops) {
      if (op.kind != bits::FieldOp::Kind::kGet) {
        ctx.reply().Error(kErrBitfieldRoWrite);
        return;
      }
    }
  }
  Result<bits::BitfieldResult> r = bits::Bitfield(ctx.db(), ctx.arg(1), ops);
  if (ctx.ReplyIfError(r)) {
    return;
  }
  ctx.reply().ArrayHeader(static_cast<int64_t>(r->values.size()));
  for (const std::optional<int64_t>& v : r->values) {
    if (v) {
      ctx.reply().Integer(*v);
    } else {
      ctx.reply().Null();
    }
  }
  if (r->changes > 0) {
    ctx.SignalModified(ctx.arg(1));
    ctx.Notify(kNotifyString, "setbit", ctx.arg(1));
    ctx.MarkWritten(r->changes);
  }
}
void CmdBitfield(CommandContext& ctx) {
  BitfieldGeneric(ctx, false);
}
void CmdBitfieldRo(CommandContext& ctx) {
  BitfieldGeneric(ctx, true);
}

}  // namespace

void RegisterBitmapFamily(CommandTable& table) {
  uint64_t bitmap = kAclBitmap;
  KeyPositions one{1, 1, 1};
  // clang-format off
  table.Add({.name = "setbit", .arity = 4, .flags = kWrite | kDenyOom, .categories = bitmap,
             .keys = one, .handler = CmdSetBit});
  table.Add({.name = "getbit", .arity = 3, .flags = kReadOnly | kFast, .categories = bitmap,
             .keys = one, .handler = CmdGetBit});
  table.Add({.name = "bitcount", .arity = -2, .flags = kReadOnly, .categories = bitmap,
             .keys = one, .handler = CmdBitCount});
  table.Add({.name = "bitpos", .arity = -3, .flags = kReadOnly, .categories = bitmap,
             .keys = one, .handler = CmdBitPos});
  table.Add({.name = "bitop", .arity = -4, .flags = kWrite | kDenyOom, .categories = bitmap,
             .keys = {2, -1, 1}, .handler = CmdBitOp});
  table.Add({.name = "bitfield", .arity = -2, .flags = kWrite | kDenyOom, .categories = bitmap,
             .keys = one, .handler = CmdBitfield});
  table.Add({.name = "bitfield_ro", .arity = -2, .flags = kReadOnly | kFast,
             .categories = bitmap, .keys = one, .handler = CmdBitfieldRo});
  // clang-format on
}

}  // namespace cairn::commands
