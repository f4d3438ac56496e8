// One cairnctl invocation's connection to the control plane: the gRPC channel (plaintext, or TLS
// verified against --ca-file), one stub per service, per-call contexts with a deadline and the
// bearer token, and the output streams and format.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "cairn/v1/catalog.grpc.pb.h"
#include "cairn/v1/cluster.grpc.pb.h"
#include "cairn/v1/event.grpc.pb.h"
#include "cairn/v1/host.grpc.pb.h"
#include "cairn/v1/operation.grpc.pb.h"
#include "cairn/v1/snapshot.grpc.pb.h"
#include "cairn/v1/token.grpc.pb.h"
#include "controlplane/cli/config.h"
#include "controlplane/cli/exit_codes.h"
#include "controlplane/cli/output.h"
#include "dataplane/base/status.h"

namespace cairn::controlplane::cli {

struct SessionOptions {
  ClientConfig config;
  OutputFormat format = OutputFormat::kTable;
  // Deadline of every RPC (--timeout).
  std::chrono::milliseconds timeout{30000};
  // Longest --wait / `op wait` before giving up (--wait-timeout).
  std::chrono::milliseconds wait_timeout{15 * 60 * 1000};
};

class Session {
 public:
  // Creates the channel. Connecting is lazy: an unreachable address fails the first RPC with
  // UNAVAILABLE. InvalidArgument when config.ca_file cannot be read.
  static Result<std::unique_ptr<Session>> Open(SessionOptions options, std::ostream& out,
                                               std::ostream& err);

  // A context for one RPC: deadline now + `timeout` (default: options.timeout), and the
  // "authorization: Bearer <token>" metadata when a token is configured.
  std::unique_ptr<grpc::ClientContext> NewContext() const { return NewContext(options_.timeout); }
  std::unique_ptr<grpc::ClientContext> NewContext(std::chrono::milliseconds timeout) const;

  v1::ClusterService::Stub& clusters() { return *clusters_; }
  v1::OperationService::Stub& operations() { return *operations_; }
  v1::EventService::Stub& events() { return *events_; }
  v1::HostService::Stub& hosts() { return *hosts_; }
  v1::CatalogService::Stub& catalog() { return *catalog_; }
  v1::TokenService::Stub& tokens() { return *tokens_; }
  v1::SnapshotService::Stub& snapshots() { return *snapshots_; }

  // Writes `message` to out in the selected format (`table_text` for tables). Returns kExitOk.
  int Print(const google::protobuf::Message& message,
            const std::function<std::string()>& table_text);
  // Writes "error: <text>" for a failed RPC to err and returns its exit code.
  int Fail(const grpc::Status& status);
  // Writes "error: <message>" to err and returns `code`.
  int Fail(ExitCode code, const std::string& message);

  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  const SessionOptions& options() const { return options_; }

 private:
  Session(SessionOptions options, std::shared_ptr<grpc::Channel> channel, std::ostream& out,
          std::ostream& err);

  SessionOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<v1::ClusterService::Stub> clusters_;
  std::unique_ptr<v1::OperationService::Stub> operations_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::HostService::Stub> hosts_;
  std::unique_ptr<v1::CatalogService::Stub> catalog_;
  std::unique_ptr<v1::TokenService::Stub> tokens_;
  std::unique_ptr<v1::SnapshotService::Stub> snapshots_;
};

}  // namespace cairn::controlplane::cli
