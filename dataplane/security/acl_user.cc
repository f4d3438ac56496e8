// AclUser: flags, password hashes and selectors of one user, with Redis 7.0's ACLSetUser rules
// and ACLDescribeUser text; password hashing, comparison and generation.
#include <algorithm>
#include <cctype>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "dataplane/base/sha256.h"
#include "dataplane/base/strings.h"
#include "dataplane/protocol/resp_parser.h"
#include "dataplane/security/acl.h"

namespace cairn::security {
namespace {

constexpr char kErrSyntax[] = "Syntax error";
constexpr char kErrNoSuchPassword[] =
    "The password you are trying to remove from the user does not exist";
constexpr char kErrBadHash[] =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";

bool ValidHash(std::string_view hash) {
  return hash.size() == 64 && std::all_of(hash.begin(), hash.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

std::string AclHashPassword(std::string_view password) {
  return Sha256Hex(password);
}

Result<std::string> AclGeneratePassword(int bits) {
  size_t chars = (static_cast<size_t>(bits) + 3) / 4;
  std::vector<unsigned char> random((chars + 1) / 2);
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return Status::Internal("ERR Failed to generate random bytes");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : random) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  out.resize(chars);
  return out;
}

std::optional<std::vector<std::string>> AclMergeSelectorArgs(
    const std::vector<std::string_view>& rules, size_t* bad) {
  std::vector<std::string> out;
  std::string selector;
  bool open = false;
  size_t open_at = 0;
  for (size_t i = 0; i < rules.size(); i++) {
    std::string_view op = rules[i];
    if (!open && !op.empty() && op.front() == '(' && op.back() != ')') {
      selector = std::string(op);
      open = true;
      open_at = i;
      continue;
    }
    if (open) {
      selector += " " + std::string(op);
      if (!op.empty() && op.back() == ')') {
        open = false;
        out.push_back(std::move(selector));
      }
      continue;
    }
    out.emplace_back(op);
  }
  if (open) {
    *bad = open_at;
    return std::nullopt;
  }
  return out;
}

AclUser::AclUser(std::string name, const AclCatalog* catalog, bool all_channels_default)
    : name_(std::move(name)), catalog_(catalog), all_channels_default_(all_channels_default) {
  selectors_.emplace_back(catalog, /*root=*/true, all_channels_default);
}

Status AclUser::Apply(std::string_view op) {
  if (op.empty()) {
    return Status::Ok();
  }
  if (EqualsIgnoreCase(op, "on") || EqualsIgnoreCase(op, "off")) {
    enabled_ = EqualsIgnoreCase(op, "on");
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload") ||
             EqualsIgnoreCase(op, "sanitize-payload")) {
    skip_sanitize_payload_ = EqualsIgnoreCase(op, "skip-sanitize-payload");
    sanitize_payload_ = !skip_sanitize_payload_;
  } else if (EqualsIgnoreCase(op, "nopass") || EqualsIgnoreCase(op, "resetpass")) {
    nopass_ = EqualsIgnoreCase(op, "nopass");
    passwords_.clear();
  } else if (op[0] == '>' || op[0] == '#' || op[0] == '<' || op[0] == '!') {
    return ChangePassword(op);
  } else if (op.front() == '(' && op.back() == ')') {
    return ApplySelector(op);
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    selectors_.erase(selectors_.begin() + 1, selectors_.end());
  } else if (EqualsIgnoreCase(op, "reset")) {
    for (std::string_view r : {"resetpass", "resetkeys", "resetchannels"}) {
      Apply(r).ok();  // known rules: cannot fail
    }
    if (all_channels_default_) {
      Apply("allchannels").ok();
    }
    for (std::string_view r : {"off", "sanitize-payload", "clearselectors", "-@all"}) {
      Apply(r).ok();
    }
  } else {
    return selectors_[0].Apply(op);
  }
  return Status::Ok();
}

// >password, #hash (add) and <password, !hash (remove).
Status AclUser::ChangePassword(std::string_view op) {
  std::string hash;
  if (op[0] == '>' || op[0] == '<') {
    hash = AclHashPassword(op.substr(1));
  } else {
    if (!ValidHash(op.substr(1))) {
      return Status::InvalidArgument(kErrBadHash);
    }
    hash = std::string(op.substr(1));
  }
  auto it = std::find(passwords_.begin(), passwords_.end(), hash);
  if (op[0] == '>' || op[0] == '#') {
    if (it == passwords_.end()) {
      passwords_.push_back(std::move(hash));
    }
    nopass_ = false;
    return Status::Ok();
  }
  if (it == passwords_.end()) {
    return Status::InvalidArgument(kErrNoSuchPassword);
  }
  passwords_.erase(it);
  return Status::Ok();
}

// "(rule rule ...)": a new selector with channels per acl-pubsub-default.
Status AclUser::ApplySelector(std::string_view op) {
  std::vector<std::string> rules;
  if (!protocol::SplitInlineArgs(op.substr(1, op.size() - 2), &rules)) {
    return Status::InvalidArgument(kErrSyntax);
  }
  AclSelector selector(catalog_, /*root=*/false, all_channels_default_);
  for (const std::string& r : rules) {
    CAIRN_RETURN_IF_ERROR(selector.Apply(r));
  }
  selectors_.push_back(std::move(selector));
  return Status::Ok();
}

std::vector<std::string> AclUser::FlagNames() const {
  std::vector<std::string> out;
  out.emplace_back(enabled_ ? "on" : "off");
  if (nopass_) {
    out.emplace_back("nopass");
  }
  if (skip_sanitize_payload_) {
    out.emplace_back("skip-sanitize-payload");
  }
  if (sanitize_payload_) {
    out.emplace_back("sanitize-payload");
  }
  return out;
}

std::string AclUser::Describe() const {
  std::string out;
  for (const std::string& f : FlagNames()) {
    out += f + " ";
  }
  for (const std::string& p : passwords_) {
    out += "#" + p + " ";
  }
  for (const AclSelector& s : selectors_) {
    out += s.root() ? s.Describe() : " (" + s.Describe() + ")";
  }
  return out;
}

bool AclUser::PasswordMatches(std::string_view password) const {
  if (nopass_) {
    return true;
  }
  std::string hash = AclHashPassword(password);
  bool match = false;
  for (const std::string& p : passwords_) {  // every hash compared: no early exit
    match |= CRYPTO_memcmp(p.data(), hash.data(), hash.size()) == 0;
  }
  return match;
}

// Redis's ACLCheckAllUserCommandPerm: the first selector that allows wins; otherwise the
// highest denial reason, then the last argument position.
AclVerdict AclUser::Check(const AclRequest& request) const {
  AclVerdict worst{AclDenial::kCommand, 0};
  for (const AclSelector& s : selectors_) {
    AclVerdict v = s.Check(request);
    if (v.ok()) {
      return v;
    }
    if (v.denial > worst.denial || (v.denial == worst.denial && v.pos > worst.pos)) {
      worst = v;
    }
  }
  return worst;
}

bool AclUser::AllowsCommandOnAnyKey(const AclRequest& request) const {
  AclRequest command_only{
      .command_id = request.command_id, .no_auth = request.no_auth, .args = request.args};
  return std::any_of(selectors_.begin(), selectors_.end(), [&](const AclSelector& s) {
    return s.ReadsAnyKey() && s.Check(command_only).ok();
  });
}

bool AclUser::ChannelAllowed(std::string_view channel, bool pattern) const {
  for (const AclSelector& s : selectors_) {
    if (s.ChannelAllowed(channel, pattern)) {
      return true;
    }
  }
  return false;
}

std::string_view AclDenialName(AclDenial denial) {
  switch (denial) {
    case AclDenial::kCommand:
      return "command";
    case AclDenial::kKey:
      return "key";
    case AclDenial::kChannel:
      return "channel";
    case AclDenial::kAuth:
      return "auth";
    default:
      return "unknown";
  }
}

}  // namespace cairn::security
