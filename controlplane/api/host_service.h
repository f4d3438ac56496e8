// HostService, CatalogService and TokenService: the fleet, what it offers, and API tokens.
#pragma once

#include "cairn/v1/catalog.grpc.pb.h"
#include "cairn/v1/host.grpc.pb.h"
#include "cairn/v1/token.grpc.pb.h"
#include "controlplane/api/api_deps.h"
#include "controlplane/api/auth.h"

namespace cairn::controlplane {

class HostApi {
 public:
  explicit HostApi(ApiDeps deps) : deps_(std::move(deps)) {}
  Result<v1::ListHostsResponse> ListHosts(const v1::ListHostsRequest& request);
  // NotFound for an unknown id.
  Result<v1::Host> GetHost(const v1::GetHostRequest& request);
  // A cordoned host keeps its nodes but gets no new ones.
  Result<v1::Host> CordonHost(const v1::CordonHostRequest& request);
  Result<v1::Host> UncordonHost(const v1::UncordonHostRequest& request);
  // A single-use join token, valid ttl_seconds (default 86400, max 30 days).
  Result<v1::JoinToken> CreateJoinToken(const v1::CreateJoinTokenRequest& request);
  Result<v1::ListNodeTypesResponse> ListNodeTypes(const v1::ListNodeTypesRequest& request);
  // Engines and versions the agents report, with the hosts that have each.
  Result<v1::ListEngineVersionsResponse> ListEngineVersions(
      const v1::ListEngineVersionsRequest& request);
  // The secret is in the response only.
  Result<v1::Token> CreateToken(const v1::CreateTokenRequest& request);
  Result<v1::ListTokensResponse> ListTokens(const v1::ListTokensRequest& request);
  // NotFound for an unknown or already revoked id.
  Result<v1::RevokeTokenResponse> RevokeToken(const v1::RevokeTokenRequest& request);

 private:
  Result<v1::Host> Describe(const Host& host);
  ApiDeps deps_;
};

class HostGrpcService final : public v1::HostService::Service {
 public:
  HostGrpcService(HostApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status ListHosts(grpc::ServerContext* c, const v1::ListHostsRequest* r,
                         v1::ListHostsResponse* out) override;
  grpc::Status GetHost(grpc::ServerContext* c, const v1::GetHostRequest* r, v1::Host* out) override;
  grpc::Status CordonHost(grpc::ServerContext* c, const v1::CordonHostRequest* r,
                          v1::Host* out) override;
  grpc::Status UncordonHost(grpc::ServerContext* c, const v1::UncordonHostRequest* r,
                            v1::Host* out) override;
  grpc::Status CreateJoinToken(grpc::ServerContext* c, const v1::CreateJoinTokenRequest* r,
                               v1::JoinToken* out) override;

 private:
  HostApi& api_;
  const Authenticator& auth_;
};

class CatalogGrpcService final : public v1::CatalogService::Service {
 public:
  CatalogGrpcService(HostApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status ListNodeTypes(grpc::ServerContext* c, const v1::ListNodeTypesRequest* r,
                             v1::ListNodeTypesResponse* out) override;
  grpc::Status ListEngineVersions(grpc::ServerContext* c, const v1::ListEngineVersionsRequest* r,
                                  v1::ListEngineVersionsResponse* out) override;

 private:
  HostApi& api_;
  const Authenticator& auth_;
};

class TokenGrpcService final : public v1::TokenService::Service {
 public:
  TokenGrpcService(HostApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status CreateToken(grpc::ServerContext* c, const v1::CreateTokenRequest* r,
                           v1::Token* out) override;
  grpc::Status ListTokens(grpc::ServerContext* c, const v1::ListTokensRequest* r,
                          v1::ListTokensResponse* out) override;
  grpc::Status RevokeToken(grpc::ServerContext* c, const v1::RevokeTokenRequest* r,
                           v1::RevokeTokenResponse* out) override;

 private:
  HostApi& api_;
  const Authenticator& auth_;
};

}  // namespace cairn::controlplane
