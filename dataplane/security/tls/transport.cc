// Plain and TLS transports. The TLS one drives OpenSSL's non-blocking API: WANT_READ and
// WANT_WRITE become kWouldBlock plus the epoll event to wait for, a clean or abrupt close by the
// peer becomes kClosed, and anything else kError with OpenSSL's reason.
#include "dataplane/security/tls/transport.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace cairn::tls {
namespace {

// One TLS record carries at most 16 KB: smaller buffers are gathered up to this size so a
// pipeline's replies go out in full records instead of one record per reply.
constexpr size_t kRecordBytes = 16 * 1024;

class PlainTransport final : public Transport {
 public:
  explicit PlainTransport(int fd) : Transport(fd) {}
  ~PlainTransport() override { close(fd_); }
  bool is_tls() const override { return false; }
  bool handshake_done() const override { return true; }
  HandshakeStatus Handshake() override { return HandshakeStatus::kDone; }

  IoResult Read(char* buf, size_t len) override {
    ssize_t n = read(fd_, buf, len);
    return FromSyscall(n, /*reading=*/true);
  }

  IoResult Write(const struct iovec* iov, int count) override {
    // One buffer is the common case (a reply or a pipeline's replies): plain write() is cheaper
    // in the kernel than a one-element writev.
    ssize_t n = count == 1 ? write(fd_, iov[0].iov_base, iov[0].iov_len) : writev(fd_, iov, count);
    return FromSyscall(n, /*reading=*/false);
  }

 private:
  IoResult FromSyscall(ssize_t n, bool reading) {
    if (n > 0) {
      return {IoResult::Kind::kOk, static_cast<size_t>(n)};
    }
    if (n == 0) {
      return {reading ? IoResult::Kind::kClosed : IoResult::Kind::kWouldBlock, 0};
    }
    if (errno == EAGAIN || errno == EINTR) {
      return {IoResult::Kind::kWouldBlock, 0};
    }
    error_ = std::strerror(errno);
    return {IoResult::Kind::kError, 0};
  }
};

class TlsTransport final : public Transport {
 public:
  TlsTransport(int fd, SSL* ssl, TlsRole role) : Transport(fd), ssl_(ssl), role_(role) {}
  ~TlsTransport() override {
    if (done_) {
      ERR_clear_error();
      SSL_shutdown(ssl_);  // one non-blocking close_notify; the peer may already be gone
    }
    SSL_free(ssl_);
    ERR_clear_error();
    close(fd_);
  }
  bool is_tls() const override { return true; }
  bool handshake_done() const override { return done_; }
  size_t Pending() const override { return static_cast<size_t>(SSL_pending(ssl_)); }
  uint32_t CrossEvents() const override { return cross_events_; }

  HandshakeStatus Handshake() override {
    if (done_) {
      return HandshakeStatus::kDone;
    }
    ERR_clear_error();
    int rc = role_ == TlsRole::kServer ? SSL_accept(ssl_) : SSL_connect(ssl_);
    if (rc == 1) {
      done_ = true;
      return HandshakeStatus::kDone;
    }
    int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ) {
      return HandshakeStatus::kWantRead;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      return HandshakeStatus::kWantWrite;
    }
    error_ = ErrorText(err);
    return HandshakeStatus::kError;
  }

  IoResult Read(char* buf, size_t len) override {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
    if (n > 0) {
      cross_events_ = 0;
      return {IoResult::Kind::kOk, static_cast<size_t>(n)};
    }
    return Blocked(SSL_get_error(ssl_, n), /*reading=*/true);
  }

  IoResult Write(const struct iovec* iov, int count) override {
    const char* data = static_cast<const char*>(iov[0].iov_base);
    size_t len = iov[0].iov_len;
    if (count > 1 && len < kRecordBytes) {
      // Gather into one record. A retry after WANT_WRITE gathers the same leading bytes (and
      // perhaps more), which SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows.
      scratch_.clear();
      for (int i = 0; i < count && scratch_.size() < kRecordBytes; i++) {
        size_t take = std::min(iov[i].iov_len, kRecordBytes - scratch_.size());
        scratch_.append(static_cast<const char*>(iov[i].iov_base), take);
      }
      data = scratch_.data();
      len = scratch_.size();
    }
    ERR_clear_error();
    int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(len, INT32_MAX)));
    if (n > 0) {
      cross_events_ = 0;
      return {IoResult::Kind::kOk, static_cast<size_t>(n)};
    }
    return Blocked(SSL_get_error(ssl_, n), /*reading=*/false);
  }

 private:
  IoResult Blocked(int err, bool reading) {
    switch (err) {
      case SSL_ERROR_WANT_READ:
        cross_events_ = reading ? 0 : EPOLLIN;
        return {IoResult::Kind::kWouldBlock, 0};
      case SSL_ERROR_WANT_WRITE:
        cross_events_ = reading ? EPOLLOUT : 0;
        return {IoResult::Kind::kWouldBlock, 0};
      case SSL_ERROR_ZERO_RETURN:
        return {reading ? IoResult::Kind::kClosed : IoResult::Kind::kError, 0};
      default:
        error_ = ErrorText(err);
        return {IoResult::Kind::kError, 0};
    }
  }

  std::string ErrorText(int err) {
    if (err == SSL_ERROR_SYSCALL) {
      int saved = errno;
      return TakeOpenSslError(saved != 0 ? std::strerror(saved) : "connection closed");
    }
    return TakeOpenSslError("TLS error " + std::to_string(err));
  }

  SSL* ssl_;
  TlsRole role_;
  bool done_ = false;
  uint32_t cross_events_ = 0;
  std::string scratch_;
};

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

std::unique_ptr<Transport> NewPlainTransport(int fd) {
  return std::make_unique<PlainTransport>(fd);
}

std::unique_ptr<Transport> NewTlsTransport(int fd, SSL_CTX* ctx, TlsRole role, ClientAuth auth,
                                           const std::string& server_name) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  if (role == TlsRole::kServer) {
    SSL_set_accept_state(ssl);
    int mode = auth == ClientAuth::kNo         ? SSL_VERIFY_NONE
               : auth == ClientAuth::kOptional ? SSL_VERIFY_PEER
                                               : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_set_verify(ssl, mode, nullptr);
  } else {
    SSL_set_connect_state(ssl);
    if (!server_name.empty() && !IsIpLiteral(server_name)) {
      SSL_set_tlsext_host_name(ssl, server_name.c_str());
    }
  }
  return std::make_unique<TlsTransport>(fd, ssl, role);
}

std::string TakeOpenSslError(const std::string& fallback) {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    text += (text.empty() ? "" : "; ") + std::string(buf);
  }
  return text.empty() ? fallback : text;
}

}  // namespace cairn::tls
