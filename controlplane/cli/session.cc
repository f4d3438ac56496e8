// The gRPC channel, stubs and per-call contexts of one cairnctl invocation.
#include "controlplane/cli/session.h"

#include <fstream>
#include <sstream>

namespace cairn::controlplane::cli {
namespace {

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("cannot read CA file " + path +
                                   " (--ca-file / CAIRN_CA_FILE / ca_file)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<std::unique_ptr<Session>> Session::Open(SessionOptions options, std::ostream& out,
                                               std::ostream& err) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.config.ca_file.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    Result<std::string> pem = ReadFile(options.config.ca_file);
    if (!pem.ok()) {
      return pem.status();
    }
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *pem;
    credentials = grpc::SslCredentials(ssl);
  }
  std::shared_ptr<grpc::Channel> channel = grpc::CreateChannel(options.config.addr, credentials);
  return std::unique_ptr<Session>(new Session(std::move(options), std::move(channel), out, err));
}

Session::Session(SessionOptions options, std::shared_ptr<grpc::Channel> channel, std::ostream& out,
                 std::ostream& err)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      out_(out),
      err_(err),
      clusters_(v1::ClusterService::NewStub(channel_)),
      operations_(v1::OperationService::NewStub(channel_)),
      events_(v1::EventService::NewStub(channel_)),
      hosts_(v1::HostService::NewStub(channel_)),
      catalog_(v1::CatalogService::NewStub(channel_)),
      tokens_(v1::TokenService::NewStub(channel_)),
      snapshots_(v1::SnapshotService::NewStub(channel_)) {}

std::unique_ptr<grpc::ClientContext> Session::NewContext(std::chrono::milliseconds timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!options_.config.token.empty()) {
    context->AddMetadata("authorization", "Bearer " + options_.config.token);
  }
  return context;
}

int Session::Print(const google::protobuf::Message& message,
                   const std::function<std::string()>& table_text) {
  out_ << Render(options_.format, message, table_text);
  out_.flush();
  return kExitOk;
}

int Session::Fail(const grpc::Status& status) {
  return Fail(ExitCodeForStatus(status.error_code()),
              DescribeRpcError(status, options_.config.addr, options_.timeout));
}

int Session::Fail(ExitCode code, const std::string& message) {
  err_ << "error: " << message << "\n";
  err_.flush();
  return code;
}

}  // namespace cairn::controlplane::cli
