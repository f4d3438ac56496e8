// `cairnctl cluster ...`: ClusterService.
#include <memory>
#include <optional>
#include <string>

#include "controlplane/cli/cluster_requests.h"
#include "controlplane/cli/commands.h"
#include "controlplane/cli/views.h"
#include "controlplane/cli/wait.h"

namespace cairn::controlplane::cli {
namespace {

// Flags whose absence matters are read through their CLI::Option (count() == 0: not given).
struct CreateFlags {
  ClusterCreateArgs args;
  int replicas = 0;
  int retention_days = 0;
  CLI::Option* replicas_option = nullptr;
  CLI::Option* retention_option = nullptr;
  bool wait = false;
};

struct UpdateFlags {
  std::string name;
  int replicas = 0;
  std::string description;
  int retention_days = 0;
  std::string window;
  bool wait = false;
  CLI::Option* replicas_option = nullptr;
  CLI::Option* description_option = nullptr;
  CLI::Option* retention_option = nullptr;
  CLI::Option* window_option = nullptr;
};

struct DeleteFlags {
  std::string name;
  std::string final_snapshot;
  bool wait = false;
};

template <typename T>
std::optional<T> IfGiven(const CLI::Option* option, const T& value) {
  return option->count() > 0 ? std::optional<T>(value) : std::nullopt;
}

struct FailoverFlags {
  std::string name;
  std::string to;
  bool force = false;
  bool wait = false;
};

struct NameFlags {
  std::string name;
};

// Fetches the cluster and prints it (the result of a waited create or update).
int PrintCluster(Session& session, const std::string& name) {
  v1::GetClusterRequest request;
  request.set_name(name);
  v1::Cluster cluster;
  grpc::Status status =
      session.clusters().GetCluster(session.NewContext().get(), request, &cluster);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(cluster, [&] { return ClusterView(cluster); });
}

int RunCreate(Session& session, const CreateFlags& flags) {
  ClusterCreateArgs args = flags.args;
  args.replicas = IfGiven(flags.replicas_option, flags.replicas);
  args.snapshot_retention_days = IfGiven(flags.retention_option, flags.retention_days);
  Result<v1::CreateClusterRequest> request = BuildCreateClusterRequest(args);
  if (!request.ok()) {
    return session.Fail(kExitUsage, std::string(request.status().message()));
  }
  v1::Operation operation;
  grpc::Status status =
      session.clusters().CreateCluster(session.NewContext().get(), *request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return PrintCluster(session, args.name); });
}

int RunUpdate(Session& session, const UpdateFlags& flags) {
  ClusterUpdateArgs args;
  args.name = flags.name;
  args.replicas = IfGiven(flags.replicas_option, flags.replicas);
  args.description = IfGiven(flags.description_option, flags.description);
  args.snapshot_retention_days = IfGiven(flags.retention_option, flags.retention_days);
  args.snapshot_window = IfGiven(flags.window_option, flags.window);
  Result<v1::UpdateClusterRequest> request = BuildUpdateClusterRequest(args);
  if (!request.ok()) {
    return session.Fail(kExitUsage, std::string(request.status().message()));
  }
  v1::Operation operation;
  grpc::Status status =
      session.clusters().UpdateCluster(session.NewContext().get(), *request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return PrintCluster(session, flags.name); });
}

int RunDelete(Session& session, const DeleteFlags& flags) {
  v1::DeleteClusterRequest request = BuildDeleteClusterRequest(flags.name, flags.final_snapshot);
  v1::Operation operation;
  grpc::Status status =
      session.clusters().DeleteCluster(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  // The cluster is gone once the delete succeeds, so the final operation is the result.
  return FinishMutation(session, operation, flags.wait, [&](const v1::Operation& done) {
    return session.Print(done, [&] { return OperationView(done); });
  });
}

int RunFailover(Session& session, const FailoverFlags& flags) {
  v1::FailoverShardRequest request;
  request.set_cluster_name(flags.name);
  request.set_target_node_id(flags.to);
  request.set_force(flags.force);
  v1::Operation operation;
  grpc::Status status =
      session.clusters().FailoverShard(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return PrintCluster(session, flags.name); });
}

void AddFailover(CLI::App& parent, Action& action) {
  auto flags = std::make_shared<FailoverFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "failover", "Promote a replica to primary without losing writes (Redis's FAILOVER)");
  cmd->add_option("NAME", flags->name, "Cluster name")->required();
  cmd->add_option("--to", flags->to, "Node to promote (default: highest replication offset)");
  cmd->add_flag("--force", flags->force, "Do not wait for the target to catch up");
  cmd->add_flag("--wait", flags->wait, "Follow the operation, then print the cluster");
  cmd->callback([flags, &action] {
    action = [flags](Session& session) { return RunFailover(session, *flags); };
  });
}

int RunList(Session& session) {
  v1::ListClustersResponse response;
  grpc::Status status = session.clusters().ListClusters(session.NewContext().get(),
                                                        v1::ListClustersRequest(), &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return ClusterListView(response); });
}

int RunNodes(Session& session, const std::string& name) {
  v1::ListNodesRequest request;
  request.set_cluster_name(name);
  v1::ListNodesResponse response;
  grpc::Status status =
      session.clusters().ListNodes(session.NewContext().get(), request, &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return NodeListView(response); });
}

CLI::Option* AddRetentionFlag(CLI::App& cmd, int& days) {
  return cmd
      .add_option("--snapshot-retention-days", days,
                  "Take a snapshot daily and keep it N days (0-35; 0: off)")
      ->check(CLI::Range(0, 35));
}

CLI::Option* AddWindowFlag(CLI::App& cmd, std::string& window) {
  return cmd.add_option("--snapshot-window", window,
                        "Daily UTC window of automatic snapshots, hh:mm-hh:mm (default "
                        "05:00-06:00)");
}

void AddDelete(CLI::App& parent, Action& action) {
  auto flags = std::make_shared<DeleteFlags>();
  CLI::App* cmd = parent.add_subcommand("delete", "Delete a cluster and stop its nodes");
  cmd->add_option("NAME", flags->name, "Cluster name")->required();
  cmd->add_option("--final-snapshot", flags->final_snapshot,
                  "First take a snapshot with this name; the cluster stays if it fails");
  cmd->add_flag("--wait", flags->wait, "Follow the operation until it ends");
  cmd->callback([flags, &action] {
    action = [flags](Session& session) { return RunDelete(session, *flags); };
  });
}

void AddCreate(CLI::App& parent, Action& action) {
  auto flags = std::make_shared<CreateFlags>();
  ClusterCreateArgs& args = flags->args;
  CLI::App* cmd = parent.add_subcommand("create", "Create a cluster (returns its operation)");
  cmd->add_option("NAME", args.name, "Cluster name: 1-40 lowercase letters, digits, hyphens")
      ->required();
  flags->replicas_option = cmd->add_option(
      "--replicas", flags->replicas,
      "Replicas per shard (0-5); required unless --from-snapshot (default: the snapshot's)");
  cmd->add_option("--node-type", args.node_type, "Node type, e.g. cache.small (see node-types)");
  cmd->add_option("--engine", args.engine, "Engine: cairn (default) or redis")
      ->check(CLI::IsMember({"cairn", "redis"}));
  cmd->add_flag("--tls", args.tls, "Nodes serve TLS only, with certificates from the CA");
  cmd->add_option("--auth-token", args.auth_token, "Password of the default user");
  cmd->add_option("--description", args.description, "Free text");
  cmd->add_option("--port", args.port, "Client port of the nodes (default: allocated)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--maxmemory-policy", args.maxmemory_policy, "e.g. allkeys-lru");
  cmd->add_option("--request-id", args.request_id,
                  "Idempotency key: a retry returns the "
                  "first operation");
  cmd->add_option("--from-snapshot", args.from_snapshot,
                  "Restore the data of this AVAILABLE snapshot into the new cluster");
  flags->retention_option = AddRetentionFlag(*cmd, flags->retention_days);
  AddWindowFlag(*cmd, args.snapshot_window);
  cmd->add_flag("--wait", flags->wait, "Follow the operation, then print the cluster");
  cmd->callback([flags, &action] {
    action = [flags](Session& session) { return RunCreate(session, *flags); };
  });
}

void AddUpdate(CLI::App& parent, Action& action) {
  auto flags = std::make_shared<UpdateFlags>();
  CLI::App* cmd = parent.add_subcommand("update", "Change a cluster (only the given fields)");
  cmd->add_option("NAME", flags->name, "Cluster name")->required();
  flags->replicas_option =
      cmd->add_option("--replicas", flags->replicas, "New replicas per shard (0-5)");
  flags->description_option = cmd->add_option("--description", flags->description, "Free text");
  flags->retention_option = AddRetentionFlag(*cmd, flags->retention_days);
  flags->window_option = AddWindowFlag(*cmd, flags->window);
  cmd->add_flag("--wait", flags->wait, "Follow the operation, then print the cluster");
  cmd->callback([flags, &action] {
    action = [flags](Session& session) { return RunUpdate(session, *flags); };
  });
}

void AddNamed(CLI::App& parent, Action& action, const char* name, const char* help,
              int (*run)(Session&, const NameFlags&)) {
  auto flags = std::make_shared<NameFlags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("NAME", flags->name, "Cluster name")->required();
  cmd->callback([flags, run, &action] {
    action = [flags, run](Session& session) { return run(session, *flags); };
  });
}

}  // namespace

void AddClusterCommands(CLI::App& app, Action& action) {
  CLI::App* cluster = app.add_subcommand("cluster", "Create, inspect, scale and delete clusters");
  cluster->require_subcommand(1);
  AddCreate(*cluster, action);
  CLI::App* list = cluster->add_subcommand("list", "List clusters");
  list->callback([&action] { action = RunList; });
  AddNamed(
      *cluster, action, "get", "Show a cluster and its nodes",
      [](Session& session, const NameFlags& flags) { return PrintCluster(session, flags.name); });
  AddUpdate(*cluster, action);
  AddDelete(*cluster, action);
  AddNamed(*cluster, action, "nodes", "List a cluster's nodes",
           [](Session& session, const NameFlags& flags) { return RunNodes(session, flags.name); });
  AddFailover(*cluster, action);
}

}  // namespace cairn::controlplane::cli
