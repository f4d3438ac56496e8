// `cairnctl host ...`: HostService.
#include <chrono>
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/duration.h"
#include "controlplane/cli/views.h"

namespace cairn::controlplane::cli {
namespace {

struct HostFlags {
  std::string id;
  std::string ttl;
};

int PrintHost(Session& session, const grpc::Status& status, const v1::Host& host) {
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(host, [&] { return HostView(host); });
}

int RunList(Session& session) {
  v1::ListHostsResponse response;
  grpc::Status status =
      session.hosts().ListHosts(session.NewContext().get(), v1::ListHostsRequest(), &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return HostListView(response); });
}

int RunGet(Session& session, const HostFlags& flags) {
  v1::GetHostRequest request;
  request.set_id(flags.id);
  v1::Host host;
  return PrintHost(session, session.hosts().GetHost(session.NewContext().get(), request, &host),
                   host);
}

int RunCordon(Session& session, const HostFlags& flags) {
  v1::CordonHostRequest request;
  request.set_id(flags.id);
  v1::Host host;
  return PrintHost(session, session.hosts().CordonHost(session.NewContext().get(), request, &host),
                   host);
}

int RunUncordon(Session& session, const HostFlags& flags) {
  v1::UncordonHostRequest request;
  request.set_id(flags.id);
  v1::Host host;
  return PrintHost(session,
                   session.hosts().UncordonHost(session.NewContext().get(), request, &host), host);
}

int RunJoinToken(Session& session, const HostFlags& flags) {
  v1::CreateJoinTokenRequest request;
  if (!flags.ttl.empty()) {
    // Validated by DurationValidator while parsing.
    Result<std::chrono::milliseconds> ttl = ParseDuration(flags.ttl);
    int64_t seconds = ttl.ok() ? std::chrono::duration_cast<std::chrono::seconds>(*ttl).count() : 0;
    if (seconds <= 0) {
      return session.Fail(kExitUsage, "--ttl must be at least 1s, got '" + flags.ttl + "'");
    }
    request.set_ttl_seconds(seconds);
  }
  v1::JoinToken token;
  grpc::Status status =
      session.hosts().CreateJoinToken(session.NewContext().get(), request, &token);
  if (!status.ok()) {
    return session.Fail(status);
  }
  if (session.options().format == OutputFormat::kTable) {
    session.err() << "The join token is shown once; pass it to cairn-agent --join-token.\n";
  }
  return session.Print(token, [&] { return JoinTokenView(token); });
}

void AddWithId(CLI::App& parent, Action& action, const char* name, const char* help,
               int (*run)(Session&, const HostFlags&)) {
  auto flags = std::make_shared<HostFlags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("ID", flags->id, "Host id, e.g. host-a")->required();
  cmd->callback([flags, run, &action] {
    action = [flags, run](Session& session) { return run(session, *flags); };
  });
}

}  // namespace

void AddHostCommands(CLI::App& app, Action& action) {
  CLI::App* host = app.add_subcommand("host", "Machines running cairn-agent");
  host->require_subcommand(1);
  CLI::App* list = host->add_subcommand("list", "List hosts");
  list->callback([&action] { action = RunList; });
  AddWithId(*host, action, "get", "Show a host", RunGet);
  AddWithId(*host, action, "cordon", "Stop placing new nodes on a host (its nodes keep running)",
            RunCordon);
  AddWithId(*host, action, "uncordon", "Place new nodes on a host again", RunUncordon);
  auto flags = std::make_shared<HostFlags>();
  CLI::App* join = host->add_subcommand("join-token", "Create a one-time token for a new agent");
  join->add_option("--ttl", flags->ttl, "Lifetime, e.g. 1h (server default 24h)")
      ->check(DurationValidator());
  join->callback([flags, &action] {
    action = [flags](Session& session) { return RunJoinToken(session, *flags); };
  });
}

}  // namespace cairn::controlplane::cli
