// tls-* parameters, with Redis 7.0's names, defaults and CONFIG SET behaviour: the settings that
// shape a context share one apply step, so `CONFIG SET tls-cert-file a tls-key-file b` rebuilds
// the contexts once, with both new files.
#include "dataplane/server/tls_config.h"

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace cairn::server {
namespace {

std::string YesNo(bool v) {
  return v ? "yes" : "no";
}

const char* AuthName(tls::ClientAuth auth) {
  switch (auth) {
    case tls::ClientAuth::kNo:
      return "no";
    case tls::ClientAuth::kOptional:
      return "optional";
    case tls::ClientAuth::kYes:
      break;
  }
  return "yes";
}

}  // namespace

Status ReloadTls(TlsState& state) {
  if (!state.enabled()) {
    return Status::Ok();
  }
  state.settings.needs_ca = state.auth_clients != tls::ClientAuth::kNo || state.replication;
  Result<tls::TlsContexts> built = tls::BuildTlsContexts(state.settings);
  if (!built.ok()) {
    return built.status();
  }
  state.contexts = std::move(*built);
  return Status::Ok();
}

void RegisterTlsParameters(ParameterTable& t, TlsState& state) {
  auto apply = std::make_shared<std::function<Status()>>([&state]() -> Status {
    Status s = ReloadTls(state);
    if (!s.ok()) {
      spdlog::warn("Failed applying new TLS configuration, keeping the previous one: {}",
                   s.message());
      return Status::InvalidArgument("Unable to update TLS configuration. Check server logs.");
    }
    if (state.enabled()) {
      spdlog::info("TLS configuration reloaded; new connections use it");
    }
    return Status::Ok();
  });
  tls::TlsSettings& s = state.settings;
  auto text = [&t, apply](const char* name, std::string* target, uint32_t flags = 0) {
    t.Add({.name = name,
           .flags = flags,
           .get = [target] { return *target; },
           .set = StringSetter(target),
           .default_value = "",
           .apply = apply});
  };
  auto flag = [&t](const char* name, bool* target, std::shared_ptr<std::function<Status()>> a) {
    t.Add({.name = name,
           .get = [target] { return YesNo(*target); },
           .set = BoolSetter(target),
           .apply = std::move(a)});
  };
  auto number = [&t](const char* name, int64_t* target, std::shared_ptr<std::function<Status()>> a,
                     uint32_t flags = 0) {
    t.Add({.name = name,
           .flags = flags,
           .get = [target] { return std::to_string(*target); },
           .set = IntSetter(target, 0, INT32_MAX),
           .apply = std::move(a)});
  };
  number("tls-port", &state.port, nullptr);
  text("tls-cert-file", &s.cert_file);
  text("tls-key-file", &s.key_file);
  text("tls-key-file-pass", &s.key_file_pass, Parameter::kSensitive);
  text("tls-client-cert-file", &s.client_cert_file);
  text("tls-client-key-file", &s.client_key_file);
  text("tls-client-key-file-pass", &s.client_key_file_pass, Parameter::kSensitive);
  text("tls-ca-cert-file", &s.ca_cert_file);
  text("tls-ca-cert-dir", &s.ca_cert_dir);
  text("tls-dh-params-file", &s.dh_params_file);
  text("tls-protocols", &s.protocols);
  text("tls-ciphers", &s.ciphers);
  text("tls-ciphersuites", &s.ciphersuites);
  flag("tls-prefer-server-ciphers", &s.prefer_server_ciphers, apply);
  flag("tls-session-caching", &s.session_caching, apply);
  number("tls-session-cache-size", &s.session_cache_size, apply);
  number("tls-session-cache-timeout", &s.session_cache_timeout_s, apply);
  flag("tls-replication", &state.replication, nullptr);
  flag("tls-cluster", &state.cluster, nullptr);
  t.Add({.name = "tls-auth-clients",
         .get = [&state] { return std::string(AuthName(state.auth_clients)); },
         .set = [&state](std::string_view v, bool) -> Status {
           std::optional<tls::ClientAuth> auth = tls::ParseClientAuth(v);
           if (!auth) {
             return Status::InvalidArgument(
                 "argument(s) must be one of the following: no, yes, optional");
           }
           state.auth_clients = *auth;  // read at each accept: no context rebuild needed
           return Status::Ok();
         }});
  number("tls-handshake-timeout", &state.handshake_timeout_ms, nullptr, Parameter::kHidden);
}

}  // namespace cairn::server
