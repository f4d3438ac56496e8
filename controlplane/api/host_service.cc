// HostService, CatalogService and TokenService.
#include "controlplane/api/host_service.h"

#include <map>

#include "controlplane/api/grpc_edge.h"
#include "controlplane/model/catalog.h"
#include "controlplane/model/timestamp.h"

namespace cairn::controlplane {

Result<v1::Host> HostApi::Describe(const Host& h) {
  v1::Host p;
  p.set_id(h.id);
  p.set_address(h.address);
  p.set_zone(h.zone);
  if (!deps_.reconciler.IsSchedulable(h) && !h.cordoned) {
    p.set_status(v1::HOST_STATUS_UNREACHABLE);
  } else {
    p.set_status(h.cordoned ? v1::HOST_STATUS_CORDONED : v1::HOST_STATUS_READY);
  }
  p.set_memory_capacity_bytes(h.memory_bytes);
  for (const HostEngine& e : h.engines) {
    v1::EngineInfo* info = p.add_engines();
    info->set_engine(e.engine);
    info->set_version(e.version);
  }
  p.set_node_port_from(h.node_port_from);
  p.set_node_port_to(h.node_port_to);
  Result<std::vector<Node>> nodes = deps_.store.ListAllNodes();
  CAIRN_RETURN_IF_ERROR(nodes.status());
  int64_t allocated = 0;
  for (const Node& n : *nodes) {
    if (n.host_id == h.id) {
      allocated += n.memory_bytes;
      p.add_node_ids(n.id);
    }
  }
  p.set_memory_allocated_bytes(allocated);
  if (h.last_heartbeat_ms > 0) {
    SetTimestamp(h.last_heartbeat_ms, p.mutable_last_heartbeat_at());
  }
  SetTimestamp(h.joined_at_ms, p.mutable_joined_at());
  return p;
}

Result<v1::ListHostsResponse> HostApi::ListHosts(const v1::ListHostsRequest&) {
  Result<std::vector<Host>> hosts = deps_.store.ListHosts();
  CAIRN_RETURN_IF_ERROR(hosts.status());
  v1::ListHostsResponse out;
  for (const Host& h : *hosts) {
    Result<v1::Host> p = Describe(h);
    CAIRN_RETURN_IF_ERROR(p.status());
    *out.add_hosts() = std::move(*p);
  }
  return out;
}

Result<v1::Host> HostApi::GetHost(const v1::GetHostRequest& request) {
  Result<Host> host = deps_.store.GetHost(request.id());
  CAIRN_RETURN_IF_ERROR(host.status());
  return Describe(*host);
}

Result<v1::Host> HostApi::CordonHost(const v1::CordonHostRequest& request) {
  CAIRN_RETURN_IF_ERROR(deps_.store.SetHostCordoned(request.id(), true));
  CAIRN_RETURN_IF_ERROR(deps_.store.AddEvent("hosts/" + request.id(), "HostCordoned",
                                             "no new nodes will be placed here"));
  v1::GetHostRequest get;
  get.set_id(request.id());
  return GetHost(get);
}

Result<v1::Host> HostApi::UncordonHost(const v1::UncordonHostRequest& request) {
  CAIRN_RETURN_IF_ERROR(deps_.store.SetHostCordoned(request.id(), false));
  CAIRN_RETURN_IF_ERROR(
      deps_.store.AddEvent("hosts/" + request.id(), "HostUncordoned", "accepting new nodes"));
  v1::GetHostRequest get;
  get.set_id(request.id());
  return GetHost(get);
}

Result<v1::JoinToken> HostApi::CreateJoinToken(const v1::CreateJoinTokenRequest& request) {
  constexpr int64_t kMaxTtl = 30 * 86400;
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxTtl) {
    return Status::InvalidArgument("ttl_seconds: must be between 1 and 2592000 (30 days)");
  }
  int64_t ttl = request.ttl_seconds() == 0 ? 86400 : request.ttl_seconds();
  std::string id = "jt-" + RandomHex(4);
  std::string secret = RandomHex(16);
  int64_t expires = deps_.clock.NowMs() + ttl * 1000;
  CAIRN_RETURN_IF_ERROR(deps_.store.InsertJoinToken(id, Sha256Hex(secret), expires));
  v1::JoinToken out;
  out.set_token(deps_.format_join_token(id, secret));
  SetTimestamp(expires, out.mutable_expires_at());
  return out;
}

Result<v1::ListNodeTypesResponse> HostApi::ListNodeTypes(const v1::ListNodeTypesRequest&) {
  v1::ListNodeTypesResponse out;
  for (const NodeType& t : NodeTypes()) {
    v1::NodeType* p = out.add_node_types();
    p->set_name(std::string(t.name));
    p->set_memory_bytes(t.memory_bytes);
  }
  return out;
}

Result<v1::ListEngineVersionsResponse> HostApi::ListEngineVersions(
    const v1::ListEngineVersionsRequest&) {
  Result<std::vector<Host>> hosts = deps_.store.ListHosts();
  CAIRN_RETURN_IF_ERROR(hosts.status());
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> found;
  for (const Host& h : *hosts) {
    for (const HostEngine& e : h.engines) {
      found[{e.engine, e.version}].push_back(h.id);
    }
  }
  v1::ListEngineVersionsResponse out;
  for (const auto& [key, host_ids] : found) {
    v1::EngineVersion* v = out.add_engine_versions();
    v->set_engine(key.first);
    v->set_version(key.second);
    for (const std::string& id : host_ids) {
      v->add_host_ids(id);
    }
  }
  return out;
}

Result<v1::Token> HostApi::CreateToken(const v1::CreateTokenRequest& request) {
  NewToken t = MakeApiToken(request.description());
  CAIRN_RETURN_IF_ERROR(deps_.store.InsertApiToken(t.record));
  v1::Token out;
  out.set_id(t.record.id);
  out.set_description(t.record.description);
  SetTimestamp(deps_.clock.NowMs(), out.mutable_created_at());
  out.set_secret(t.secret);
  return out;
}

Result<v1::ListTokensResponse> HostApi::ListTokens(const v1::ListTokensRequest&) {
  Result<std::vector<ApiTokenRecord>> tokens = deps_.store.ListApiTokens();
  CAIRN_RETURN_IF_ERROR(tokens.status());
  v1::ListTokensResponse out;
  for (const ApiTokenRecord& t : *tokens) {
    v1::Token* p = out.add_tokens();
    p->set_id(t.id);
    p->set_description(t.description);
    SetTimestamp(t.created_at_ms, p->mutable_created_at());
  }
  return out;
}

Result<v1::RevokeTokenResponse> HostApi::RevokeToken(const v1::RevokeTokenRequest& request) {
  CAIRN_RETURN_IF_ERROR(deps_.store.RevokeApiToken(request.id()));
  return v1::RevokeTokenResponse();
}

grpc::Status HostGrpcService::ListHosts(grpc::ServerContext* c, const v1::ListHostsRequest* r,
                                        v1::ListHostsResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListHosts(*r); });
}
grpc::Status HostGrpcService::GetHost(grpc::ServerContext* c, const v1::GetHostRequest* r,
                                      v1::Host* out) {
  return Serve(auth_, c, out, [&] { return api_.GetHost(*r); });
}
grpc::Status HostGrpcService::CordonHost(grpc::ServerContext* c, const v1::CordonHostRequest* r,
                                         v1::Host* out) {
  return Serve(auth_, c, out, [&] { return api_.CordonHost(*r); });
}
grpc::Status HostGrpcService::UncordonHost(grpc::ServerContext* c, const v1::UncordonHostRequest* r,
                                           v1::Host* out) {
  return Serve(auth_, c, out, [&] { return api_.UncordonHost(*r); });
}
grpc::Status HostGrpcService::CreateJoinToken(grpc::ServerContext* c,
                                              const v1::CreateJoinTokenRequest* r,
                                              v1::JoinToken* out) {
  return Serve(auth_, c, out, [&] { return api_.CreateJoinToken(*r); });
}
grpc::Status CatalogGrpcService::ListNodeTypes(grpc::ServerContext* c,
                                               const v1::ListNodeTypesRequest* r,
                                               v1::ListNodeTypesResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListNodeTypes(*r); });
}
grpc::Status CatalogGrpcService::ListEngineVersions(grpc::ServerContext* c,
                                                    const v1::ListEngineVersionsRequest* r,
                                                    v1::ListEngineVersionsResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListEngineVersions(*r); });
}
grpc::Status TokenGrpcService::CreateToken(grpc::ServerContext* c, const v1::CreateTokenRequest* r,
                                           v1::Token* out) {
  return Serve(auth_, c, out, [&] { return api_.CreateToken(*r); });
}
grpc::Status TokenGrpcService::ListTokens(grpc::ServerContext* c, const v1::ListTokensRequest* r,
                                          v1::ListTokensResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListTokens(*r); });
}
grpc::Status TokenGrpcService::RevokeToken(grpc::ServerContext* c, const v1::RevokeTokenRequest* r,
                                           v1::RevokeTokenResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.RevokeToken(*r); });
}

}  // namespace cairn::controlplane
