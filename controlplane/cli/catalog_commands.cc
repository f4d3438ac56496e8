// `cairnctl node-types` and `cairnctl engine-versions`: CatalogService.
#include "controlplane/cli/commands.h"
#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {
namespace {

int RunNodeTypes(Session& session) {
  v1::ListNodeTypesResponse response;
  grpc::Status status = session.catalog().ListNodeTypes(session.NewContext().get(),
                                                        v1::ListNodeTypesRequest(), &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return NodeTypeListView(response); });
}

int RunEngineVersions(Session& session) {
  v1::ListEngineVersionsResponse response;
  grpc::Status status = session.catalog().ListEngineVersions(
      session.NewContext().get(), v1::ListEngineVersionsRequest(), &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return EngineVersionListView(response); });
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Action& action) {
  CLI::App* node_types = app.add_subcommand("node-types", "List node types and their memory");
  node_types->callback([&action] { action = RunNodeTypes; });
  CLI::App* engines =
      app.add_subcommand("engine-versions", "List engine versions the hosts' agents reported");
  engines->callback([&action] { action = RunEngineVersions; });
}

}  // namespace cairn::controlplane::cli
