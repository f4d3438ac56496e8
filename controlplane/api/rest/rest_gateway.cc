// REST routes.
#include "controlplane/api/rest/rest_gateway.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {
namespace {

using google::protobuf::Message;

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

Status FromJson(const std::string& body, Message* message) {
  if (body.empty()) {
    return Status::Ok();
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(body, message, options);
  if (!status.ok()) {
    return Status::InvalidArgument("invalid JSON body: " + std::string(status.message()));
  }
  return Status::Ok();
}

void SendError(httplib::Response& res, const Status& status) {
  res.status = HttpStatusOf(status.code());
  res.set_content(ErrorJson(status), "application/json");
}

int64_t QueryInt(const httplib::Request& req, const std::string& key, Status& error) {
  if (!req.has_param(key)) {
    return 0;
  }
  std::string value = req.get_param_value(key);
  char* end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0') {
    error = Status::InvalidArgument(key + ": must be an integer, got \"" + value + "\"");
  }
  return n;
}

// Authenticates, fills the request from the HTTP request, calls the service, writes JSON.
template <typename Req, typename Call, typename Fill>
void Handle(const Authenticator& auth, const httplib::Request& http, httplib::Response& res,
            Fill&& fill, Call&& call) {
  if (Result<std::string> who = auth.Authenticate(http.get_header_value("Authorization"));
      !who.ok()) {
    SendError(res, who.status());
    return;
  }
  Req request;
  if (Status filled = fill(request); !filled.ok()) {
    SendError(res, filled);
    return;
  }
  auto result = call(request);
  if (!result.ok()) {
    SendError(res, result.status());
    return;
  }
  res.set_content(ToJson(*result), "application/json");
}

}  // namespace

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

std::string ErrorJson(const Status& status) {
  nlohmann::json body = {{"code", StatusCodeName(status.code())},
                         {"message", std::string(status.message())},
                         {"details", nlohmann::json::array()}};
  std::string_view m = status.message();
  size_t colon = m.find(':');
  if (colon != std::string_view::npos && colon > 0) {
    std::string_view field = m.substr(0, colon);
    bool is_field =
        field.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string_view::npos;
    if (is_field) {
      body["details"].push_back({{"field", std::string(field)}});
    }
  }
  return body.dump();
}

RestGateway::RestGateway(RestServices services, const std::string& tls_cert_file,
                         const std::string& tls_key_file)
    : services_(services) {
  if (!tls_cert_file.empty()) {
    server_ = std::make_unique<httplib::SSLServer>(tls_cert_file.c_str(), tls_key_file.c_str());
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  AddClusterRoutes();
  AddOperationRoutes();
  AddHostRoutes();
  AddSnapshotRoutes();
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(ErrorJson(Status::NotFound("no such route")), "application/json");
    }
  });
}

RestGateway::~RestGateway() {
  Stop();
}

void RestGateway::AddClusterRoutes() {
  const Authenticator& auth = services_.auth;
  ClusterApi& api = services_.clusters;
  server_->Post("/v1/clusters", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::CreateClusterRequest>(
        auth, req, res,
        [&](v1::CreateClusterRequest& r) {
          // The body is either a CreateClusterRequest or the Cluster itself.
          nlohmann::json probe = nlohmann::json::parse(req.body, nullptr, false);
          if (probe.is_object() && !probe.contains("cluster")) {
            CAIRN_RETURN_IF_ERROR(FromJson(req.body, r.mutable_cluster()));
          } else {
            CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
          }
          if (req.has_param("request_id")) {
            r.set_request_id(req.get_param_value("request_id"));
          }
          return Status::Ok();
        },
        [&](const v1::CreateClusterRequest& r) {
          Result<v1::Operation> op = api.CreateCluster(r);
          if (op.ok()) {
            res.status = 202;
          }
          return op;
        });
  });
  server_->Get("/v1/clusters", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListClustersRequest>(
        auth, req, res, [](auto&) { return Status::Ok(); },
        [&](const auto& r) { return api.ListClusters(r); });
  });
  server_->Get(R"(/v1/clusters/([^/:]+))",
               [&](const httplib::Request& req, httplib::Response& res) {
                 Handle<v1::GetClusterRequest>(
                     auth, req, res,
                     [&](v1::GetClusterRequest& r) {
                       r.set_name(req.matches[1]);
                       return Status::Ok();
                     },
                     [&](const auto& r) { return api.GetCluster(r); });
               });
  server_->Patch(R"(/v1/clusters/([^/:]+))",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   Handle<v1::UpdateClusterRequest>(
                       auth, req, res,
                       [&](v1::UpdateClusterRequest& r) {
                         nlohmann::json probe = nlohmann::json::parse(req.body, nullptr, false);
                         if (probe.is_object() && !probe.contains("cluster")) {
                           CAIRN_RETURN_IF_ERROR(FromJson(req.body, r.mutable_cluster()));
                           for (const auto& [key, value] : probe.items()) {
                             r.mutable_update_mask()->add_paths(key);
                           }
                         } else {
                           CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
                         }
                         r.mutable_cluster()->set_name(req.matches[1]);
                         return Status::Ok();
                       },
                       [&](const v1::UpdateClusterRequest& r) {
                         Result<v1::Operation> op = api.UpdateCluster(r);
                         if (op.ok()) {
                           res.status = 202;
                         }
                         return op;
                       });
                 });
  server_->Delete(R"(/v1/clusters/([^/:]+))",
                  [&](const httplib::Request& req, httplib::Response& res) {
                    Handle<v1::DeleteClusterRequest>(
                        auth, req, res,
                        [&](v1::DeleteClusterRequest& r) {
                          CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
                          r.set_name(req.matches[1]);
                          if (req.has_param("final_snapshot_name")) {
                            r.set_final_snapshot_name(req.get_param_value("final_snapshot_name"));
                          }
                          return Status::Ok();
                        },
                        [&](const v1::DeleteClusterRequest& r) {
                          Result<v1::Operation> op = api.DeleteCluster(r);
                          if (op.ok()) {
                            res.status = 202;
                          }
                          return op;
                        });
                  });
  server_->Post(R"(/v1/clusters/([^/:]+):failover)",
                [&](const httplib::Request& req, httplib::Response& res) {
                  Handle<v1::FailoverShardRequest>(
                      auth, req, res,
                      [&](v1::FailoverShardRequest& r) {
                        CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
                        r.set_cluster_name(req.matches[1]);
                        return Status::Ok();
                      },
                      [&](const v1::FailoverShardRequest& r) {
                        Result<v1::Operation> op = api.FailoverShard(r);
                        if (op.ok()) {
                          res.status = 202;
                        }
                        return op;
                      });
                });
  server_->Get(R"(/v1/clusters/([^/:]+)/nodes)",
               [&](const httplib::Request& req, httplib::Response& res) {
                 Handle<v1::ListNodesRequest>(
                     auth, req, res,
                     [&](v1::ListNodesRequest& r) {
                       r.set_cluster_name(req.matches[1]);
                       return Status::Ok();
                     },
                     [&](const auto& r) { return api.ListNodes(r); });
               });
}

void RestGateway::AddOperationRoutes() {
  const Authenticator& auth = services_.auth;
  OperationApi& api = services_.operations;
  server_->Get("/v1/operations", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListOperationsRequest>(
        auth, req, res,
        [&](v1::ListOperationsRequest& r) {
          Status error;
          r.set_resource(req.get_param_value("resource"));
          r.set_page_size(static_cast<int32_t>(QueryInt(req, "page_size", error)));
          return error;
        },
        [&](const auto& r) { return api.ListOperations(r); });
  });
  server_->Get(R"(/v1/operations/([^/:]+))",
               [&](const httplib::Request& req, httplib::Response& res) {
                 Handle<v1::GetOperationRequest>(
                     auth, req, res,
                     [&](v1::GetOperationRequest& r) {
                       r.set_id(req.matches[1]);
                       return Status::Ok();
                     },
                     [&](const auto& r) { return api.GetOperation(r); });
               });
  auto wait = [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::WaitOperationRequest>(
        auth, req, res,
        [&](v1::WaitOperationRequest& r) {
          Status error;
          CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
          r.set_id(req.matches[1]);
          if (req.has_param("timeout_ms")) {
            r.set_timeout_ms(QueryInt(req, "timeout_ms", error));
          }
          return error;
        },
        [&](const auto& r) { return api.WaitOperation(r); });
  };
  server_->Post(R"(/v1/operations/([^/:]+):wait)", wait);
  server_->Get(R"(/v1/operations/([^/:]+):wait)", wait);
  server_->Get("/v1/events", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListEventsRequest>(
        auth, req, res,
        [&](v1::ListEventsRequest& r) {
          Status error;
          r.set_resource(req.get_param_value("resource"));
          if (req.has_param("cluster")) {
            r.set_resource(ClusterResource(req.get_param_value("cluster")));
          }
          if (req.has_param("since_ms")) {
            SetTimestamp(QueryInt(req, "since_ms", error), r.mutable_since());
          }
          r.set_page_size(static_cast<int32_t>(QueryInt(req, "page_size", error)));
          return error;
        },
        [&](const auto& r) { return api.ListEvents(r); });
  });
}

void RestGateway::AddHostRoutes() {
  const Authenticator& auth = services_.auth;
  HostApi& api = services_.hosts;
  auto no_fill = [](auto&) { return Status::Ok(); };
  server_->Get("/v1/hosts", [&, no_fill](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListHostsRequest>(auth, req, res, no_fill,
                                 [&](const auto& r) { return api.ListHosts(r); });
  });
  server_->Get(R"(/v1/hosts/([^/:]+))", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::GetHostRequest>(
        auth, req, res,
        [&](v1::GetHostRequest& r) {
          r.set_id(req.matches[1]);
          return Status::Ok();
        },
        [&](const auto& r) { return api.GetHost(r); });
  });
  server_->Post(R"(/v1/hosts/([^/:]+):cordon)",
                [&](const httplib::Request& req, httplib::Response& res) {
                  Handle<v1::CordonHostRequest>(
                      auth, req, res,
                      [&](v1::CordonHostRequest& r) {
                        r.set_id(req.matches[1]);
                        return Status::Ok();
                      },
                      [&](const auto& r) { return api.CordonHost(r); });
                });
  server_->Post(R"(/v1/hosts/([^/:]+):uncordon)",
                [&](const httplib::Request& req, httplib::Response& res) {
                  Handle<v1::UncordonHostRequest>(
                      auth, req, res,
                      [&](v1::UncordonHostRequest& r) {
                        r.set_id(req.matches[1]);
                        return Status::Ok();
                      },
                      [&](const auto& r) { return api.UncordonHost(r); });
                });
  server_->Post("/v1/joinTokens", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::CreateJoinTokenRequest>(
        auth, req, res, [&](auto& r) { return FromJson(req.body, &r); },
        [&](const auto& r) { return api.CreateJoinToken(r); });
  });
  server_->Get("/v1/nodeTypes", [&, no_fill](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListNodeTypesRequest>(auth, req, res, no_fill,
                                     [&](const auto& r) { return api.ListNodeTypes(r); });
  });
  server_->Get(
      "/v1/engineVersions", [&, no_fill](const httplib::Request& req, httplib::Response& res) {
        Handle<v1::ListEngineVersionsRequest>(
            auth, req, res, no_fill, [&](const auto& r) { return api.ListEngineVersions(r); });
      });
  server_->Post("/v1/tokens", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::CreateTokenRequest>(
        auth, req, res, [&](auto& r) { return FromJson(req.body, &r); },
        [&](const auto& r) { return api.CreateToken(r); });
  });
  server_->Get("/v1/tokens", [&, no_fill](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListTokensRequest>(auth, req, res, no_fill,
                                  [&](const auto& r) { return api.ListTokens(r); });
  });
  server_->Delete(R"(/v1/tokens/([^/:]+))",
                  [&](const httplib::Request& req, httplib::Response& res) {
                    Handle<v1::RevokeTokenRequest>(
                        auth, req, res,
                        [&](v1::RevokeTokenRequest& r) {
                          r.set_id(req.matches[1]);
                          return Status::Ok();
                        },
                        [&](const auto& r) { return api.RevokeToken(r); });
                  });
}

Result<std::string> RestGateway::Start(const std::string& addr) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--http-addr: expected host:port, got \"" + addr + "\"");
  }
  if (!server_->is_valid()) {
    return Status::InvalidArgument("--tls-cert/--tls-key: cannot load the certificate or key");
  }
  std::string host = addr.substr(0, colon);
  int port = std::atoi(addr.c_str() + colon + 1);
  int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return Status::Unavailable("--http-addr: cannot listen on " + addr);
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return host + ":" + std::to_string(bound);
}

void RestGateway::Stop() {
  if (server_) {
    server_->stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
}

void RestGateway::AddSnapshotRoutes() {
  const Authenticator& auth = services_.auth;
  SnapshotApi& api = services_.snapshots;
  server_->Post("/v1/snapshots", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::CreateSnapshotRequest>(
        auth, req, res, [&](v1::CreateSnapshotRequest& r) { return FromJson(req.body, &r); },
        [&](const v1::CreateSnapshotRequest& r) {
          Result<v1::Operation> op = api.CreateSnapshot(r);
          if (op.ok()) {
            res.status = 202;
          }
          return op;
        });
  });
  server_->Get("/v1/snapshots", [&](const httplib::Request& req, httplib::Response& res) {
    Handle<v1::ListSnapshotsRequest>(
        auth, req, res,
        [&](v1::ListSnapshotsRequest& r) {
          r.set_cluster_name(req.get_param_value("cluster"));
          r.set_source(req.get_param_value("source"));
          return Status::Ok();
        },
        [&](const auto& r) { return api.ListSnapshots(r); });
  });
  server_->Get(R"(/v1/snapshots/([^/:]+))",
               [&](const httplib::Request& req, httplib::Response& res) {
                 Handle<v1::GetSnapshotRequest>(
                     auth, req, res,
                     [&](v1::GetSnapshotRequest& r) {
                       r.set_name(req.matches[1]);
                       return Status::Ok();
                     },
                     [&](const auto& r) { return api.GetSnapshot(r); });
               });
  server_->Delete(R"(/v1/snapshots/([^/:]+))",
                  [&](const httplib::Request& req, httplib::Response& res) {
                    Handle<v1::DeleteSnapshotRequest>(
                        auth, req, res,
                        [&](v1::DeleteSnapshotRequest& r) {
                          r.set_name(req.matches[1]);
                          return Status::Ok();
                        },
                        [&](const auto& r) { return api.DeleteSnapshot(r); });
                  });
  server_->Post(R"(/v1/snapshots/([^/:]+):copy)",
                [&](const httplib::Request& req, httplib::Response& res) {
                  Handle<v1::CopySnapshotRequest>(
                      auth, req, res,
                      [&](v1::CopySnapshotRequest& r) {
                        CAIRN_RETURN_IF_ERROR(FromJson(req.body, &r));
                        r.set_source_snapshot_name(req.matches[1]);
                        return Status::Ok();
                      },
                      [&](const v1::CopySnapshotRequest& r) {
                        Result<v1::Snapshot> copy = api.CopySnapshot(r);
                        if (copy.ok()) {
                          res.status = 201;
                        }
                        return copy;
                      });
                });
  // The RDB file itself: verified before the headers go out, then streamed.
  server_->Get(
      R"(/v1/snapshots/([^/:]+):export)", [&](const httplib::Request& req, httplib::Response& res) {
        Status who = auth.Authenticate(req.get_header_value("Authorization")).status();
        Result<v1::Snapshot> s =
            who.ok() ? api.PrepareExport(req.matches[1]) : Result<v1::Snapshot>(who);
        if (!s.ok()) {
          SendError(res, s.status());
          return;
        }
        std::string name = s->name();
        res.set_header("Content-Disposition", "attachment; filename=\"" + name + ".rdb\"");
        res.set_header("X-Cairn-Sha256", s->sha256());
        res.set_content_provider(static_cast<size_t>(s->size_bytes()), "application/octet-stream",
                                 [&api, name](size_t, size_t, httplib::DataSink& sink) {
                                   Status sent = api.ExportSnapshot(
                                       name,
                                       [&](std::string_view chunk) {
                                         return sink.write(chunk.data(), chunk.size())
                                                    ? Status::Ok()
                                                    : Status::Unavailable("the client went away");
                                       },
                                       /*verify=*/false);
                                   return sent.ok();
                                 });
      });
  // The body is the RDB file (application/octet-stream), read in pieces as it arrives.
  server_->Post(R"(/v1/snapshots/([^/:]+):import)", [&](const httplib::Request& req,
                                                        httplib::Response& res,
                                                        const httplib::ContentReader& content) {
    Status who = auth.Authenticate(req.get_header_value("Authorization")).status();
    Result<std::unique_ptr<SnapshotUpload>> upload =
        who.ok() ? api.BeginImport(req.matches[1]) : Result<std::unique_ptr<SnapshotUpload>>(who);
    Status written = upload.status();
    if (upload.ok()) {
      content([&](const char* data, size_t n) {
        written = (*upload)->Write(std::string_view(data, n));
        return written.ok();
      });
    }
    Result<v1::Snapshot> s = written.ok() ? (*upload)->Finish() : Result<v1::Snapshot>(written);
    if (!s.ok()) {
      SendError(res, s.status());
      return;
    }
    res.status = 201;
    res.set_content(ToJson(*s), "application/json");
  });
}

}  // namespace cairn::controlplane
