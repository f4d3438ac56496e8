// Bearer-token authentication for every API call (gRPC metadata and HTTP header
// "authorization: Bearer <token>"). Tokens are "<id>.<secret>"; only SHA-256 of the whole token
// is stored, and comparison is constant-time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "controlplane/store/store.h"

namespace cairn::controlplane {

class Authenticator {
 public:
  explicit Authenticator(Store& store) : store_(store) {}

  // Checks an "authorization" header value. Returns Unauthenticated ("missing bearer token",
  // "invalid token") without saying which part was wrong. On success returns the token id.
  Result<std::string> Authenticate(std::string_view authorization) const;

 private:
  Store& store_;
};

// A new API token: {record to store, the full secret to show once}.
struct NewToken {
  ApiTokenRecord record;
  std::string secret;
};
NewToken MakeApiToken(std::string description);

// Creates the first admin token when the store has none; returns its secret (to print once), or
// nullopt when tokens already exist.
Result<std::optional<std::string>> CreateAdminTokenIfNone(Store& store);

}  // namespace cairn::controlplane
