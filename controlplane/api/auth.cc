// API authentication.
#include "controlplane/api/auth.h"

#include <openssl/crypto.h>

namespace cairn::controlplane {

Result<std::string> Authenticator::Authenticate(std::string_view authorization) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.substr(0, kBearer.size()) != kBearer) {
    return Status::Unauthenticated("missing bearer token (authorization: Bearer <token>)");
  }
  std::string_view token = authorization.substr(kBearer.size());
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) {
    return Status::Unauthenticated("invalid token");
  }
  Result<ApiTokenRecord> record = store_.FindApiToken(std::string(token.substr(0, dot)));
  if (!record.ok()) {
    if (record.status().code() == StatusCode::kNotFound) {
      return Status::Unauthenticated("invalid token");
    }
    return record.status();
  }
  std::string hash = Sha256Hex(token);
  if (record->revoked || hash.size() != record->secret_sha256.size() ||
      CRYPTO_memcmp(hash.data(), record->secret_sha256.data(), hash.size()) != 0) {
    return Status::Unauthenticated("invalid token");
  }
  return record->id;
}

NewToken MakeApiToken(std::string description) {
  NewToken t;
  t.record.id = "tok-" + RandomHex(4);
  t.secret = t.record.id + "." + RandomHex(24);
  t.record.secret_sha256 = Sha256Hex(t.secret);
  t.record.description = std::move(description);
  return t;
}

Result<std::optional<std::string>> CreateAdminTokenIfNone(Store& store) {
  Result<std::vector<ApiTokenRecord>> tokens = store.ListApiTokens();
  CAIRN_RETURN_IF_ERROR(tokens.status());
  if (!tokens->empty()) {
    return std::optional<std::string>();
  }
  NewToken admin = MakeApiToken("admin (created at first start)");
  CAIRN_RETURN_IF_ERROR(store.InsertApiToken(admin.record));
  return std::optional<std::string>(admin.secret);
}

}  // namespace cairn::controlplane
