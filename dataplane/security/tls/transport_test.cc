// Plain and TLS transports over a real socket pair: a non-blocking handshake driven from both
// ends, and a 4 MB stream of gathered writes that fills the socket (WANT_WRITE retries with the
// same leading bytes) arriving intact.
#include "dataplane/security/tls/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "dataplane/security/tls/tls_context.h"

namespace cairn::tls {
namespace {

// A self-signed certificate and its key as PEM files in a temp dir (the certificate is its own
// CA, so the client context can verify the server with it).
class SelfSigned {
 public:
  SelfSigned() {
    dir_ = std::filesystem::temp_directory_path() /
           ("cairn-tls-test-" + std::to_string(getpid()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("transport-test"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    FILE* f = std::fopen(cert_path().c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_path().c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~SelfSigned() { std::filesystem::remove_all(dir_); }
  std::string cert_path() const { return (dir_ / "cert.pem").string(); }
  std::string key_path() const { return (dir_ / "key.pem").string(); }

 private:
  std::filesystem::path dir_;
};

// Moves `data` from `writer` to `reader` with gathered writes of three buffers each, retrying
// after kWouldBlock as a connection does; returns what the reader got.
std::string Pump(Transport& writer, Transport& reader, const std::string& data) {
  std::string got;
  size_t sent = 0;
  char buf[64 * 1024];
  while (got.size() < data.size()) {
    if (sent < data.size()) {
      size_t rest = data.size() - sent;
      size_t a = std::min<size_t>(rest, 100);
      size_t b = std::min<size_t>(rest - a, 3000);
      struct iovec iov[3] = {{const_cast<char*>(data.data() + sent), a},
                             {const_cast<char*>(data.data() + sent + a), b},
                             {const_cast<char*>(data.data() + sent + a + b), rest - a - b}};
      int count = rest - a - b > 0 ? 3 : (b > 0 ? 2 : 1);
      IoResult w = writer.Write(iov, count);
      EXPECT_NE(w.kind, IoResult::Kind::kError) << writer.error();
      if (w.kind == IoResult::Kind::kOk) {
        sent += w.bytes;
      }
    }
    IoResult r = reader.Read(buf, sizeof(buf));
    EXPECT_NE(r.kind, IoResult::Kind::kError) << reader.error();
    EXPECT_NE(r.kind, IoResult::Kind::kClosed);
    if (r.kind == IoResult::Kind::kOk) {
      got.append(buf, r.bytes);
    }
    if (r.kind == IoResult::Kind::kError || r.kind == IoResult::Kind::kClosed) {
      break;
    }
  }
  return got;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) {
    s[i] = static_cast<char>('a' + (i * 7 + i / 991) % 26);
  }
  return s;
}

TEST(TransportTest, PlainStreamArrivesIntact) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  auto a = NewPlainTransport(fds[0]);
  auto b = NewPlainTransport(fds[1]);
  std::string data = Pattern(4 << 20);
  EXPECT_EQ(Pump(*a, *b, data), data);
}

TEST(TransportTest, TlsHandshakeAndLargeGatheredStream) {
  signal(SIGPIPE, SIG_IGN);  // as cairn-server: a failed write is an error return, not a signal
  SelfSigned certs;
  TlsSettings s;
  s.cert_file = certs.cert_path();
  s.key_file = certs.key_path();
  s.ca_cert_file = certs.cert_path();
  Result<TlsContexts> ctx = BuildTlsContexts(s);
  ASSERT_TRUE(ctx.ok()) << ctx.status().message();
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  auto server = NewTlsTransport(fds[0], ctx->server.get(), TlsRole::kServer, ClientAuth::kNo);
  auto client =
      NewTlsTransport(fds[1], ctx->client.get(), TlsRole::kClient, ClientAuth::kNo, "localhost");
  ASSERT_NE(server, nullptr);
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 100 && !(server->handshake_done() && client->handshake_done()); i++) {
    ASSERT_NE(client->Handshake(), HandshakeStatus::kError) << client->error();
    ASSERT_NE(server->Handshake(), HandshakeStatus::kError) << server->error();
  }
  ASSERT_TRUE(server->handshake_done() && client->handshake_done());
  EXPECT_TRUE(server->is_tls());
  std::string data = Pattern(4 << 20);
  EXPECT_EQ(Pump(*server, *client, data), data);
  EXPECT_EQ(Pump(*client, *server, data), data);
}

TEST(TransportTest, TlsHandshakeFailsAgainstAnUntrustedServer) {
  signal(SIGPIPE, SIG_IGN);
  SelfSigned trusted;
  TlsSettings server_settings;
  server_settings.cert_file = trusted.cert_path();
  server_settings.key_file = trusted.key_path();
  server_settings.needs_ca = false;
  Result<TlsContexts> server_ctx = BuildTlsContexts(server_settings);
  ASSERT_TRUE(server_ctx.ok());
  // A client that trusts only a CA directory with nothing in it cannot verify the server.
  TlsSettings client_settings = server_settings;
  client_settings.ca_cert_file = "";
  client_settings.ca_cert_dir = std::filesystem::temp_directory_path().string();
  Result<TlsContexts> client_ctx = BuildTlsContexts(client_settings);
  ASSERT_TRUE(client_ctx.ok());
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
  auto server = NewTlsTransport(fds[0], server_ctx->server.get(), TlsRole::kServer);
  auto client = NewTlsTransport(fds[1], client_ctx->client.get(), TlsRole::kClient);
  bool failed = false;
  for (int i = 0; i < 100 && !failed; i++) {
    failed = client->Handshake() == HandshakeStatus::kError;
    server->Handshake();
  }
  EXPECT_TRUE(failed);
  EXPECT_NE(client->error().find("certificate verify failed"), std::string::npos)
      << client->error();
}

}  // namespace
}  // namespace cairn::tls
