// Transport: the byte stream under one socket, plain or TLS. Connections and the replica link
// read, write and handshake through it, so the TLS details (handshake states, records buffered
// inside OpenSSL, writes that need a read) stay here instead of in every caller. A transport owns
// its socket and closes it. Command thread only. REQUIRES: SIGPIPE ignored (cairn-server does),
// since a TLS close_notify may be written to a peer that is already gone.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <openssl/types.h>

namespace cairn::tls {

// The outcome of one Read or Write.
struct IoResult {
  enum class Kind {
    kOk,          // `bytes` moved (> 0)
    kWouldBlock,  // nothing now; wait for readiness (see Transport::WantedEvents)
    kClosed,      // the peer closed the stream (read side only)
    kError,       // the stream is broken; close it
  };
  Kind kind = Kind::kOk;
  size_t bytes = 0;
};

// The outcome of one handshake step.
enum class HandshakeStatus { kDone, kWantRead, kWantWrite, kError };

class Transport {
 public:
  virtual ~Transport() = default;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int fd() const { return fd_; }
  virtual bool is_tls() const = 0;
  // True once the stream carries application bytes (at once for plain sockets).
  virtual bool handshake_done() const = 0;
  // Advances a non-blocking handshake (SSL_accept / SSL_connect). Safe to call when done.
  virtual HandshakeStatus Handshake() = 0;
  // Reads up to `len` bytes into `buf`.
  virtual IoResult Read(char* buf, size_t len) = 0;
  // Writes from `count` buffers (gathered; TLS coalesces small ones into one record). A partial
  // write is kOk with the bytes written; the caller keeps the rest and calls again. After
  // kWouldBlock a TLS write must be retried with the same leading bytes (the caller's output
  // buffer keeps them), as OpenSSL requires.
  virtual IoResult Write(const struct iovec* iov, int count) = 0;
  // Decrypted bytes waiting inside the transport (no socket readiness will announce them).
  virtual size_t Pending() const { return 0; }
  // epoll events the last blocked operation waits for beyond the obvious one: EPOLLOUT when a
  // TLS read needs to write, EPOLLIN when a TLS write needs to read; 0 otherwise.
  virtual uint32_t CrossEvents() const { return 0; }
  // The last error's text (OpenSSL's error queue or errno), for logs.
  const std::string& error() const { return error_; }

 protected:
  explicit Transport(int fd) : fd_(fd) {}
  int fd_;
  std::string error_;
};

// A plain socket: read, write/writev.
std::unique_ptr<Transport> NewPlainTransport(int fd);

enum class TlsRole { kServer, kClient };
// Client certificate policy of a server-side TLS transport (tls-auth-clients no|yes|optional).
enum class ClientAuth { kNo, kYes, kOptional };

// TLS over `fd` with a new SSL from `ctx` (which the SSL keeps alive by reference count, so a
// later reload does not disturb it). `auth` applies to kServer; `server_name` (kClient) is sent
// as SNI when it is a host name. Returns nullptr (and closes nothing) when SSL_new fails.
std::unique_ptr<Transport> NewTlsTransport(int fd, SSL_CTX* ctx, TlsRole role,
                                           ClientAuth auth = ClientAuth::kNo,
                                           const std::string& server_name = "");

// OpenSSL's queued errors as one line ("error:0A000086:SSL routines::certificate verify
// failed"), clearing the queue; `fallback` when the queue is empty.
std::string TakeOpenSslError(const std::string& fallback);

}  // namespace cairn::tls
