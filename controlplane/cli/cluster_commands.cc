// `cairnctl cluster ...`: ClusterService.
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/views.h"
#include "controlplane/cli/wait.h"

namespace cairn::controlplane::cli {
namespace {

struct CreateFlags {
  std::string name;
  int replicas = 0;
  std::string node_type;
  std::string engine;
  bool tls = false;
  std::string auth_token;
  std::string description;
  int port = 0;
  std::string maxmemory_policy;
  std::string request_id;
  bool wait = false;
};

struct UpdateFlags {
  std::string name;
  int replicas = 0;
  std::string description;
  bool wait = false;
  // Which of the optional flags were given; only those go into the update mask.
  CLI::Option* replicas_option = nullptr;
  CLI::Option* description_option = nullptr;
};

struct FailoverFlags {
  std::string name;
  std::string to;
  bool force = false;
  bool wait = false;
};

struct NameFlags {
  std::string name;
  bool wait = false;
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
  v1::CreateClusterRequest request;
  v1::Cluster& cluster = *request.mutable_cluster();
  cluster.set_name(flags.name);
  cluster.set_replicas_per_shard(flags.replicas);
  cluster.set_node_type(flags.node_type);
  cluster.set_engine(flags.engine);
  cluster.set_tls(flags.tls);
  cluster.set_auth_token(flags.auth_token);
  cluster.set_description(flags.description);
  cluster.set_port(flags.port);
  cluster.set_maxmemory_policy(flags.maxmemory_policy);
  request.set_request_id(flags.request_id);
  v1::Operation operation;
  grpc::Status status =
      session.clusters().CreateCluster(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return PrintCluster(session, flags.name); });
}

int RunUpdate(Session& session, const UpdateFlags& flags) {
  v1::UpdateClusterRequest request;
  request.mutable_cluster()->set_name(flags.name);
  if (flags.replicas_option->count() > 0) {
    request.mutable_cluster()->set_replicas_per_shard(flags.replicas);
    request.mutable_update_mask()->add_paths("replicas_per_shard");
  }
  if (flags.description_option->count() > 0) {
    request.mutable_cluster()->set_description(flags.description);
    request.mutable_update_mask()->add_paths("description");
  }
  if (request.update_mask().paths_size() == 0) {
    return session.Fail(kExitUsage,
                        "cluster update: nothing to change; give --replicas N "
                        "and/or --description TEXT");
  }
  v1::Operation operation;
  grpc::Status status =
      session.clusters().UpdateCluster(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return PrintCluster(session, flags.name); });
}

int RunDelete(Session& session, const NameFlags& flags) {
  v1::DeleteClusterRequest request;
  request.set_name(flags.name);
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

void AddCreate(CLI::App& parent, Action& action) {
  auto flags = std::make_shared<CreateFlags>();
  CLI::App* cmd = parent.add_subcommand("create", "Create a cluster (returns its operation)");
  cmd->add_option("NAME", flags->name, "Cluster name: 1-40 lowercase letters, digits, hyphens")
      ->required();
  cmd->add_option("--replicas", flags->replicas, "Replicas per shard (0-5)")->required();
  cmd->add_option("--node-type", flags->node_type, "Node type, e.g. cache.small (see node-types)");
  cmd->add_option("--engine", flags->engine, "Engine: cairn (default) or redis")
      ->check(CLI::IsMember({"cairn", "redis"}));
  cmd->add_flag("--tls", flags->tls, "Nodes serve TLS only, with certificates from the CA");
  cmd->add_option("--auth-token", flags->auth_token, "Password of the default user");
  cmd->add_option("--description", flags->description, "Free text");
  cmd->add_option("--port", flags->port, "Client port of the nodes (default: allocated)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--maxmemory-policy", flags->maxmemory_policy, "e.g. allkeys-lru");
  cmd->add_option("--request-id", flags->request_id,
                  "Idempotency key: a retry returns the "
                  "first operation");
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
  cmd->add_flag("--wait", flags->wait, "Follow the operation, then print the cluster");
  cmd->callback([flags, &action] {
    action = [flags](Session& session) { return RunUpdate(session, *flags); };
  });
}

void AddNamed(CLI::App& parent, Action& action, const char* name, const char* help, bool with_wait,
              int (*run)(Session&, const NameFlags&)) {
  auto flags = std::make_shared<NameFlags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("NAME", flags->name, "Cluster name")->required();
  if (with_wait) {
    cmd->add_flag("--wait", flags->wait, "Follow the operation until it ends");
  }
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
      *cluster, action, "get", "Show a cluster and its nodes", false,
      [](Session& session, const NameFlags& flags) { return PrintCluster(session, flags.name); });
  AddUpdate(*cluster, action);
  AddNamed(*cluster, action, "delete", "Delete a cluster and stop its nodes", true, RunDelete);
  AddNamed(*cluster, action, "nodes", "List a cluster's nodes", false,
           [](Session& session, const NameFlags& flags) { return RunNodes(session, flags.name); });
  AddFailover(*cluster, action);
}

}  // namespace cairn::controlplane::cli
