// Join with a pinned-CA certificate verifier (grpc::experimental TLS credentials).
#include "agent/link/join.h"

#include <atomic>
#include <memory>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "cairn/agent/v1/agent.grpc.pb.h"

namespace cairn::agent {
namespace {

// Accepts the server only when its chain holds the pinned CA and its leaf verifies against it.
class PinnedCaVerifier : public grpc::experimental::ExternalCertificateVerifier {
 public:
  PinnedCaVerifier(std::string fingerprint, std::shared_ptr<std::atomic<bool>> mismatch)
      : fingerprint_(std::move(fingerprint)), mismatch_(std::move(mismatch)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>, grpc::Status* sync_status) override {
    std::string chain(request->peer_cert_full_chain().data(),
                      request->peer_cert_full_chain().size());
    std::string leaf(request->peer_cert().data(), request->peer_cert().size());
    Status ok = VerifyPinnedChain(chain, leaf.empty() ? chain : leaf, fingerprint_);
    if (!ok.ok()) {
      mismatch_->store(true);
    }
    *sync_status = ok.ok()
                       ? grpc::Status::OK
                       : grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(ok.message()));
    return true;  // decided synchronously
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

 private:
  std::string fingerprint_;
  // Set when a server failed the pin: Join then reports a refusal, not an unreachable server.
  std::shared_ptr<std::atomic<bool>> mismatch_;
};

}  // namespace

Result<AgentCredentials> Join(const std::string& control_plane, const std::string& join_token,
                              const std::string& host_id, std::chrono::milliseconds timeout) {
  Result<JoinToken> token = ParseJoinToken(join_token);
  if (!token.ok()) {
    return token.status();
  }
  Result<KeyAndCsr> key = GenerateKeyAndCsr(host_id);
  if (!key.ok()) {
    return key.status();
  }
  auto mismatch = std::make_shared<std::atomic<bool>>(false);
  grpc::experimental::TlsChannelCredentialsOptions options;
  // The built-in chain check needs a root we do not have yet; the pinned verifier replaces it.
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<PinnedCaVerifier>(
          token->ca_fingerprint_hex, mismatch));
  auto channel = grpc::CreateChannel(control_plane, grpc::experimental::TlsCredentials(options));
  auto stub = v1::AgentService::NewStub(channel);
  v1::JoinRequest request;
  request.set_join_token(join_token);
  request.set_host_id(host_id);
  request.set_csr_pem(key->csr_pem);
  v1::JoinResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::Status status = stub->Join(&context, request, &response);
  if (!status.ok() && mismatch->load()) {
    return Status::FailedPrecondition(
        "join refused: the control plane at " + control_plane +
        " does not hold the CA named in the join token (wrong token or wrong address)");
  }
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      break;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Status::FailedPrecondition("join refused: " + status.error_message());
    default:
      return Status::Unavailable("join: control plane at " + control_plane +
                                 " not reachable: " + status.error_message());
  }
  if (CertificateFingerprint(response.ca_certificate_pem()) != token->ca_fingerprint_hex) {
    return Status::FailedPrecondition("join: the returned CA does not match the token");
  }
  return AgentCredentials{response.ca_certificate_pem(), response.certificate_pem(), key->key_pem};
}

}  // namespace cairn::agent
