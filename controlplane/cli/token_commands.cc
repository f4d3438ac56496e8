// `cairnctl token ...`: TokenService (API bearer tokens).
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {
namespace {

struct TokenFlags {
  std::string id;
  std::string description;
};

int RunCreate(Session& session, const TokenFlags& flags) {
  v1::CreateTokenRequest request;
  request.set_description(flags.description);
  v1::Token token;
  grpc::Status status = session.tokens().CreateToken(session.NewContext().get(), request, &token);
  if (!status.ok()) {
    return session.Fail(status);
  }
  if (session.options().format == OutputFormat::kTable) {
    session.err() << "The token is shown once; store it now (e.g. export CAIRN_TOKEN=...).\n";
  }
  return session.Print(token, [&] { return TokenView(token); });
}

int RunList(Session& session) {
  v1::ListTokensResponse response;
  grpc::Status status =
      session.tokens().ListTokens(session.NewContext().get(), v1::ListTokensRequest(), &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  // The server never returns secrets here; clear them anyway so a listing cannot leak one.
  for (v1::Token& token : *response.mutable_tokens()) {
    token.clear_secret();
  }
  return session.Print(response, [&] { return TokenListView(response); });
}

int RunRevoke(Session& session, const TokenFlags& flags) {
  v1::RevokeTokenRequest request;
  request.set_id(flags.id);
  v1::RevokeTokenResponse response;
  grpc::Status status =
      session.tokens().RevokeToken(session.NewContext().get(), request, &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return "revoked " + flags.id + "\n"; });
}

}  // namespace

void AddTokenCommands(CLI::App& app, Action& action) {
  CLI::App* token = app.add_subcommand("token", "API bearer tokens");
  token->require_subcommand(1);
  auto flags = std::make_shared<TokenFlags>();
  CLI::App* create = token->add_subcommand("create", "Create a token (its secret is shown once)");
  create->add_option("--description", flags->description, "Free text, e.g. 'ci pipeline'");
  create->callback([flags, &action] {
    action = [flags](Session& session) { return RunCreate(session, *flags); };
  });
  CLI::App* list = token->add_subcommand("list", "List tokens (ids and descriptions only)");
  list->callback([&action] { action = RunList; });
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token: later calls with it fail");
  revoke->add_option("ID", flags->id, "Token id, e.g. tok-3f9a1c2b")->required();
  revoke->callback([flags, &action] {
    action = [flags](Session& session) { return RunRevoke(session, *flags); };
  });
}

}  // namespace cairn::controlplane::cli
