// `cairnctl snapshot ...`: SnapshotService. Export and import stream whole RDB files, so their
// deadline is the longer of --timeout and --wait-timeout rather than --timeout alone.
#include <algorithm>
#include <memory>
#include <string>

#include "controlplane/cli/commands.h"
#include "controlplane/cli/duration.h"
#include "controlplane/cli/transfer.h"
#include "controlplane/cli/views.h"
#include "controlplane/cli/wait.h"

namespace cairn::controlplane::cli {
namespace {

struct SnapshotFlags {
  std::string name;
  std::string cluster;
  std::string source;
  std::string target;
  std::string file;
  std::string rdb;
  bool wait = false;
};

std::chrono::milliseconds TransferTimeout(const Session& session) {
  return std::max(session.options().timeout, session.options().wait_timeout);
}

// Session::Fail, except that a stream's deadline is TransferTimeout, not --timeout.
int FailTransfer(Session& session, const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return session.Fail(kExitFailed, "the transfer did not finish within " +
                                         FormatDuration(TransferTimeout(session)) +
                                         " (--wait-timeout)");
  }
  return session.Fail(status);
}

int GetSnapshot(Session& session, const std::string& name, v1::Snapshot& snapshot) {
  v1::GetSnapshotRequest request;
  request.set_name(name);
  grpc::Status status =
      session.snapshots().GetSnapshot(session.NewContext().get(), request, &snapshot);
  return status.ok() ? kExitOk : session.Fail(status);
}

int PrintSnapshot(Session& session, const grpc::Status& status, const v1::Snapshot& snapshot) {
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(snapshot, [&] { return SnapshotView(snapshot); });
}

int RunGet(Session& session, const SnapshotFlags& flags) {
  v1::Snapshot snapshot;
  int code = GetSnapshot(session, flags.name, snapshot);
  return code != kExitOk ? code : PrintSnapshot(session, grpc::Status::OK, snapshot);
}

int RunCreate(Session& session, const SnapshotFlags& flags) {
  v1::CreateSnapshotRequest request;
  request.set_snapshot_name(flags.name);
  request.set_cluster_name(flags.cluster);
  v1::Operation operation;
  grpc::Status status =
      session.snapshots().CreateSnapshot(session.NewContext().get(), request, &operation);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return FinishMutation(session, operation, flags.wait,
                        [&](const v1::Operation&) { return RunGet(session, flags); });
}

int RunList(Session& session, const SnapshotFlags& flags) {
  v1::ListSnapshotsRequest request;
  request.set_cluster_name(flags.cluster);
  request.set_source(flags.source);
  v1::ListSnapshotsResponse response;
  grpc::Status status =
      session.snapshots().ListSnapshots(session.NewContext().get(), request, &response);
  if (!status.ok()) {
    return session.Fail(status);
  }
  return session.Print(response, [&] { return SnapshotListView(response); });
}

int RunDelete(Session& session, const SnapshotFlags& flags) {
  v1::DeleteSnapshotRequest request;
  request.set_name(flags.name);
  v1::Snapshot snapshot;
  return PrintSnapshot(
      session, session.snapshots().DeleteSnapshot(session.NewContext().get(), request, &snapshot),
      snapshot);
}

int RunCopy(Session& session, const SnapshotFlags& flags) {
  v1::CopySnapshotRequest request;
  request.set_source_snapshot_name(flags.name);
  request.set_target_snapshot_name(flags.target);
  v1::Snapshot snapshot;
  return PrintSnapshot(
      session, session.snapshots().CopySnapshot(session.NewContext().get(), request, &snapshot),
      snapshot);
}

// Streams the snapshot's bytes into `sink`. A local write error cancels the stream.
int ReceiveExport(Session& session, const std::string& name, ExportSink& sink) {
  v1::ExportSnapshotRequest request;
  request.set_name(name);
  std::unique_ptr<grpc::ClientContext> context = session.NewContext(TransferTimeout(session));
  std::unique_ptr<grpc::ClientReader<v1::SnapshotChunk>> reader =
      session.snapshots().ExportSnapshot(context.get(), request);
  v1::SnapshotChunk chunk;
  Status written = Status::Ok();
  while (written.ok() && reader->Read(&chunk)) {
    written = sink.Write(chunk.data());
  }
  if (!written.ok()) {
    context->TryCancel();
  }
  grpc::Status status = reader->Finish();
  if (!written.ok()) {
    return session.Fail(kExitFailed, std::string(written.message()));
  }
  return status.ok() ? kExitOk : FailTransfer(session, status);
}

int RunExport(Session& session, const SnapshotFlags& flags) {
  // Before any request, so a bad FILE is a usage error that leaves the server alone.
  Result<std::unique_ptr<ExportSink>> sink = ExportSink::Open(flags.file, session.out());
  if (!sink.ok()) {
    return session.Fail(kExitUsage, std::string(sink.status().message()));
  }
  v1::Snapshot snapshot;
  if (int code = GetSnapshot(session, flags.name, snapshot); code != kExitOk) {
    return code;
  }
  if (snapshot.status() != v1::SNAPSHOT_STATUS_AVAILABLE) {
    return session.Fail(kExitFailed, "snapshot " + flags.name + " is " +
                                         StatusName(snapshot.status()) +
                                         "; only AVAILABLE snapshots can be exported");
  }
  if (int code = ReceiveExport(session, flags.name, **sink); code != kExitOk) {
    return code;
  }
  Status committed = (*sink)->Commit(snapshot.size_bytes(), snapshot.sha256());
  if (!committed.ok()) {
    return session.Fail(kExitFailed, std::string(committed.message()));
  }
  if ((*sink)->to_stdout()) {
    // stdout holds the file itself.
    session.err() << "exported snapshot " << flags.name << ": " << (*sink)->bytes()
                  << " bytes, sha256 " << (*sink)->sha256() << " (verified)\n";
    return kExitOk;
  }
  return session.Print(snapshot, [&] {
    return SnapshotExportView(flags.name, flags.file, (*sink)->bytes(), (*sink)->sha256());
  });
}

int RunImport(Session& session, const SnapshotFlags& flags) {
  Status readable = CheckReadableFile(flags.rdb);
  if (!readable.ok()) {
    return session.Fail(kExitUsage, "--rdb: " + std::string(readable.message()));
  }
  std::unique_ptr<grpc::ClientContext> context = session.NewContext(TransferTimeout(session));
  v1::Snapshot snapshot;
  std::unique_ptr<grpc::ClientWriter<v1::ImportSnapshotRequest>> writer =
      session.snapshots().ImportSnapshot(context.get(), &snapshot);
  v1::ImportSnapshotRequest message;
  message.set_snapshot_name(flags.name);
  // A failed Write means the server ended the call early; Finish says why.
  bool open = writer->Write(message);
  Status read = Status::Ok();
  if (open) {
    read = ReadFileChunks(flags.rdb, kImportChunkBytes, [&](std::string_view data) {
      message.set_data(data.data(), data.size());
      open = writer->Write(message);
      return open;
    });
  }
  if (!read.ok()) {
    context->TryCancel();  // the server must not keep part of the file
  } else if (open) {
    writer->WritesDone();
  }
  grpc::Status status = writer->Finish();
  if (!read.ok()) {
    return session.Fail(kExitFailed, std::string(read.message()));
  }
  return status.ok() ? PrintSnapshot(session, status, snapshot) : FailTransfer(session, status);
}

// A subcommand whose Action runs `run` with its own flags; `add` declares the arguments.
void AddCommand(CLI::App& parent, Action& action, const char* name, const char* help,
                int (*run)(Session&, const SnapshotFlags&),
                void (*add)(CLI::App&, SnapshotFlags&)) {
  auto flags = std::make_shared<SnapshotFlags>();
  CLI::App* cmd = parent.add_subcommand(name, help);
  add(*cmd, *flags);
  cmd->callback([flags, run, &action] {
    action = [flags, run](Session& session) { return run(session, *flags); };
  });
}

void NameArg(CLI::App& cmd, SnapshotFlags& flags) {
  cmd.add_option("NAME", flags.name, "Snapshot name")->required();
}

}  // namespace

void AddSnapshotCommands(CLI::App& app, Action& action) {
  CLI::App* snapshot = app.add_subcommand("snapshot", "Take, restore, copy and move snapshots");
  snapshot->require_subcommand(1);
  AddCommand(*snapshot, action, "create", "Snapshot a cluster (returns its operation)", RunCreate,
             [](CLI::App& cmd, SnapshotFlags& flags) {
               NameArg(cmd, flags);
               cmd.add_option("--cluster", flags.cluster, "Cluster to snapshot")->required();
               cmd.add_flag("--wait", flags.wait, "Follow the operation, then print the snapshot");
             });
  AddCommand(*snapshot, action, "list", "List snapshots, newest first", RunList,
             [](CLI::App& cmd, SnapshotFlags& flags) {
               cmd.add_option("--cluster", flags.cluster, "Only this cluster's snapshots");
               cmd.add_option("--source", flags.source, "Only manual, automatic or imported ones")
                   ->check(CLI::IsMember({"manual", "automatic", "imported"}));
             });
  AddCommand(*snapshot, action, "get", "Show a snapshot", RunGet, NameArg);
  AddCommand(*snapshot, action, "delete", "Delete a snapshot and its file", RunDelete, NameArg);
  AddCommand(*snapshot, action, "copy", "Copy a snapshot under a new name", RunCopy,
             [](CLI::App& cmd, SnapshotFlags& flags) {
               cmd.add_option("SOURCE", flags.name, "Snapshot to copy")->required();
               cmd.add_option("TARGET", flags.target, "Name of the copy")->required();
             });
  AddCommand(*snapshot, action, "export", "Download a snapshot's RDB file, verifying its SHA-256",
             RunExport, [](CLI::App& cmd, SnapshotFlags& flags) {
               NameArg(cmd, flags);
               cmd.add_option("FILE", flags.file, "Destination file, or - for stdout")->required();
             });
  AddCommand(*snapshot, action, "import", "Upload an RDB file as a new snapshot", RunImport,
             [](CLI::App& cmd, SnapshotFlags& flags) {
               NameArg(cmd, flags);
               cmd.add_option("--rdb", flags.rdb, "RDB file written by Redis 7.0 or cairn-server")
                   ->required();
             });
}

}  // namespace cairn::controlplane::cli
