// `cairnctl op ...`: OperationService.
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/views.h"
#include "controlplane/cli/wait.h"

namespace cairn::controlplane::cli {
namespace {

struct OpFlags {
  std::string id;
  std::string resource;
  int limit = 0;
};

int RunGet(Session& session, const OpFlags& flags) {
  v1::GetOperationRequest request;
  request.set_id(flags.id);
  v1::Operation operation;
  grpc::Status status =
      session.operations().GetOperation(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(operation, [&] { return OperationView(operation); });
}

int RunList(Session& session, const OpFlags& flags) {
  v1::ListOperationsRequest request;
  request.set_resource(flags.resource);
  request.set_page_size(flags.limit);
  v1::ListOperationsResponse response;
  grpc::Status status =
      session.operations().ListOperations(session.NewContext().get(), request, &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return OperationListView(response); });
}

// Follows the operation; prints it at the end whatever its outcome, then exits by it.
int RunWait(Session& session, const OpFlags& flags) {
  WaitOutcome outcome = WaitForOperation(session, flags.id, nullptr);
  if (outcome.status.ok()) {
    session.Print(outcome.operation, [&] { return OperationView(outcome.operation); });
  }
  return CheckWaitOutcome(session, outcome);
}

void AddWithId(CLI::App& parent, Action& action, const char* name, const char* help,
               int (*run)(Session&, const OpFlags&)) {
  auto flags = std::make_shared<OpFlags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  cmd->add_option("ID", flags->id, "Operation id, e.g. op-7f3a2c")->required();
  cmd->callback([flags, run, &action] {
    action = [flags, run](Session& session) { return run(session, *flags); };
  });
}

}  // namespace

void AddOperationCommands(CLI::App& app, Action& action) {
  CLI::App* op = app.add_subcommand("op", "Inspect and follow operations");
  op->alias("operation");
  op->require_subcommand(1);
  AddWithId(*op, action, "get", "Show an operation and its steps", RunGet);
  AddWithId(*op, action, "wait",
            "Follow an operation to its end, printing progress; exit 1 if it fails", RunWait);
  auto flags = std::make_shared<OpFlags>();
  CLI::App* list = op->add_subcommand("list", "List operations, newest first");
  list->add_option("--resource", flags->resource, "Only this resource, e.g. clusters/demo");
  list->add_option("--limit", flags->limit, "Most operations to list (server default 100)")
      ->check(CLI::Range(0, 1000));
  list->callback([flags, &action] {
    action = [flags](Session& session) { return RunList(session, *flags); };
  });
}

}  // namespace cairn::controlplane::cli
