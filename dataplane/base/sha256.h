// SHA-256 over OpenSSL's EVP interface, as lowercase hex: incremental (files streamed in
// chunks: snapshots, uploads, exports) and one-shot (token secrets).
#pragma once

#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace cairn {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Adds the next bytes.
  void Update(std::string_view data);
  // The digest of everything added, 64 lowercase hex digits. Call once.
  std::string HexDigest();

 private:
  evp_md_ctx_st* ctx_;
};

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace cairn
