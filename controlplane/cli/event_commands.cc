// `cairnctl events list`: EventService.
#include <chrono>
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/duration.h"
#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {
namespace {

struct EventFlags {
  std::string cluster;
  std::string resource;
  std::string since;
  int limit = 0;
};

int RunList(Session& session, const EventFlags& flags) {
  v1::ListEventsRequest request;
  if (!flags.cluster.empty()) {
    request.set_resource("clusters/" + flags.cluster);
  } else {
    request.set_resource(flags.resource);
  }
  if (!flags.since.empty()) {
    Result<google::protobuf::Timestamp> since =
        ParseSince(flags.since, std::chrono::system_clock::now());
    if (!since.ok()) {
      return session.Fail(kExitUsage, std::string(since.status().message()));
    }
    *request.mutable_since() = *since;
  }
  request.set_page_size(flags.limit);
  v1::ListEventsResponse response;
  grpc::Status status = session.events().ListEvents(session.NewContext().get(), request, &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return EventListView(response); });
}

}  // namespace

void AddEventCommands(CLI::App& app, Action& action) {
  CLI::App* events = app.add_subcommand("events", "What happened to clusters, nodes and hosts");
  events->require_subcommand(1);
  auto flags = std::make_shared<EventFlags>();
  CLI::App* list = events->add_subcommand("list", "List events, oldest first");
  CLI::Option* cluster =
      list->add_option("--cluster", flags->cluster, "Only this cluster and its nodes");
  list->add_option("--resource", flags->resource, "Only this resource, e.g. hosts/host-a")
      ->excludes(cluster);
  list->add_option("--since", flags->since,
                   "Only events at or after: RFC 3339 time, or a duration ago (10m, 2h)");
  list->add_option("--limit", flags->limit, "Most events to list (server default 100)")
      ->check(CLI::Range(0, 1000));
  list->callback([flags, &action] {
    action = [flags](Session& session) { return RunList(session, *flags); };
  });
}

}  // namespace cairn::controlplane::cli
