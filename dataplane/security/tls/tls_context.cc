// SSL_CTX construction, following what Redis 7.0's tls.c configures: TLSv1.2+ by default, no
// compression, no client renegotiation (OpenSSL 3's default), partial writes with a moving buffer
// (the output buffer may grow between retries), the server's session cache, and peer verification
// against the CA.
#include "dataplane/security/tls/tls_context.h"

#include <cstring>
#include <sstream>

#include <openssl/bio.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "dataplane/base/strings.h"

namespace cairn::tls {
namespace {

constexpr char kSessionIdContext[] = "cairn";

Status Fail(const std::string& what) {
  return Status::InvalidArgument(what);
}

// The password callback's user data is the password string (OpenSSL copies it out at once).
int PasswordCallback(char* buf, int size, int, void* user) {
  const auto* pass = static_cast<const std::string*>(user);
  if (pass == nullptr || size <= 0) {
    return 0;
  }
  size_t n = std::min(pass->size(), static_cast<size_t>(size));
  std::memcpy(buf, pass->data(), n);
  return static_cast<int>(n);
}

Result<long> ProtocolOptions(const std::string& protocols) {
  if (protocols.empty()) {
    return SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1;
  }
  long options = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
  std::istringstream words(protocols);
  std::string word;
  while (words >> word) {
    std::string w = AsciiLower(word);
    if (w == "tlsv1") {
      options &= ~SSL_OP_NO_TLSv1;
    } else if (w == "tlsv1.1") {
      options &= ~SSL_OP_NO_TLSv1_1;
    } else if (w == "tlsv1.2") {
      options &= ~SSL_OP_NO_TLSv1_2;
    } else if (w == "tlsv1.3") {
      options &= ~SSL_OP_NO_TLSv1_3;
    } else {
      return Fail(
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' "
          "and 'TLSv1.3'.");
    }
  }
  return options;
}

Status LoadDhParams(SSL_CTX* ctx, const std::string& path) {
  if (path.empty()) {
    SSL_CTX_set_dh_auto(ctx, 1);
    return Status::Ok();
  }
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) {
    return Fail("Failed to load " + path + ": " + TakeOpenSslError("unreadable"));
  }
  EVP_PKEY* dh = PEM_read_bio_Parameters(bio, nullptr);
  BIO_free(bio);
  if (dh == nullptr) {
    return Fail("Failed to load " + path + ": " + TakeOpenSslError("no DH parameters"));
  }
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, dh) != 1) {
    EVP_PKEY_free(dh);
    return Fail("Failed to load DH parameters from " + path + ": " + TakeOpenSslError("rejected"));
  }
  return Status::Ok();
}

// The certificate and key a context presents. `pass` must outlive the context's use of the
// callback, which is only during this call.
Status LoadKeyPair(SSL_CTX* ctx, const std::string& cert, const std::string& key,
                   const std::string& pass) {
  SSL_CTX_set_default_passwd_cb(ctx, PasswordCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&pass));
  Status s;
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1) {
    s = Fail("Failed to load certificate: " + cert + ": " + TakeOpenSslError("unreadable"));
  } else if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    s = Fail("Failed to load private key: " + key + ": " + TakeOpenSslError("unreadable"));
  }
  SSL_CTX_set_default_passwd_cb(ctx, nullptr);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  return s;
}

Status ConfigureCommon(SSL_CTX* ctx, const TlsSettings& s) {
  Result<long> protocols = ProtocolOptions(s.protocols);
  if (!protocols.ok()) {
    return protocols.status();
  }
  SSL_CTX_set_options(ctx, static_cast<uint64_t>(*protocols) | SSL_OP_NO_COMPRESSION |
                               SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (s.prefer_server_ciphers) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  if ((!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) &&
      SSL_CTX_load_verify_locations(ctx, s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str(),
                                    s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str()) != 1) {
    return Fail("Failed to configure CA certificate(s) file/directory: " +
                TakeOpenSslError("unreadable"));
  }
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()) != 1) {
    return Fail("Failed to configure ciphers: " + s.ciphers);
  }
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str()) != 1) {
    return Fail("Failed to configure ciphersuites: " + s.ciphersuites);
  }
  return Status::Ok();
}

Result<SslCtxPtr> NewContext(const TlsSettings& s, bool server) {
  SslCtxPtr ctx(SSL_CTX_new(server ? TLS_server_method() : TLS_client_method()), SSL_CTX_free);
  if (!ctx) {
    return Fail("Failed to create TLS context: " + TakeOpenSslError("out of memory"));
  }
  CAIRN_RETURN_IF_ERROR(ConfigureCommon(ctx.get(), s));
  if (server) {
    if (s.session_caching) {
      SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_SERVER);
      SSL_CTX_sess_set_cache_size(ctx.get(), s.session_cache_size);
      SSL_CTX_set_timeout(ctx.get(), s.session_cache_timeout_s);
      SSL_CTX_set_session_id_context(ctx.get(),
                                     reinterpret_cast<const unsigned char*>(kSessionIdContext),
                                     sizeof(kSessionIdContext) - 1);
    } else {
      SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    }
    CAIRN_RETURN_IF_ERROR(LoadKeyPair(ctx.get(), s.cert_file, s.key_file, s.key_file_pass));
    CAIRN_RETURN_IF_ERROR(LoadDhParams(ctx.get(), s.dh_params_file));
  } else if (!s.client_cert_file.empty() && !s.client_key_file.empty()) {
    CAIRN_RETURN_IF_ERROR(
        LoadKeyPair(ctx.get(), s.client_cert_file, s.client_key_file, s.client_key_file_pass));
  } else {
    CAIRN_RETURN_IF_ERROR(LoadKeyPair(ctx.get(), s.cert_file, s.key_file, s.key_file_pass));
  }
  return ctx;
}

}  // namespace

Result<TlsContexts> BuildTlsContexts(const TlsSettings& settings) {
  ERR_clear_error();
  if (settings.cert_file.empty()) {
    return Fail("No tls-cert-file configured!");
  }
  if (settings.key_file.empty()) {
    return Fail("No tls-key-file configured!");
  }
  if (settings.needs_ca && settings.ca_cert_file.empty() && settings.ca_cert_dir.empty()) {
    return Fail(
        "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
        "tls-replication or tls-auth-clients are enabled!");
  }
  Result<SslCtxPtr> server = NewContext(settings, /*server=*/true);
  if (!server.ok()) {
    return server.status();
  }
  Result<SslCtxPtr> client = NewContext(settings, /*server=*/false);
  if (!client.ok()) {
    return client.status();
  }
  return TlsContexts{.server = std::move(*server), .client = std::move(*client)};
}

std::optional<ClientAuth> ParseClientAuth(std::string_view text) {
  std::string t = AsciiLower(text);
  if (t == "no") {
    return ClientAuth::kNo;
  }
  if (t == "yes") {
    return ClientAuth::kYes;
  }
  if (t == "optional") {
    return ClientAuth::kOptional;
  }
  return std::nullopt;
}

}  // namespace cairn::tls
