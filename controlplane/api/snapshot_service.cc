// SnapshotService.
#include "controlplane/api/snapshot_service.h"

#include <fstream>

#include "controlplane/api/grpc_edge.h"
#include "controlplane/backup/rdb_check.h"
#include "controlplane/model/names.h"

namespace cairn::controlplane {
namespace {

namespace fs = std::filesystem;

Result<v1::Snapshot> Available(Store& store, const std::string& name) {
  Result<v1::Snapshot> s = store.GetSnapshot(name);
  CAIRN_RETURN_IF_ERROR(s.status());
  if (s->status() != v1::SNAPSHOT_STATUS_AVAILABLE) {
    return Status::FailedPrecondition("snapshot \"" + name + "\" is not available (" +
                                      v1::SnapshotStatus_Name(s->status()) + ")");
  }
  return s;
}

StoredObject ObjectOf(const v1::Snapshot& s) {
  return {SnapshotKey(s.name()), s.size_bytes(), s.sha256()};
}

}  // namespace

Status SnapshotApi::NeedBackups() const {
  if (deps_.backups == nullptr || deps_.snapshotter == nullptr) {
    return Status::FailedPrecondition("snapshots need a backup store (--backup-dir)");
  }
  return Status::Ok();
}

Result<v1::Operation> SnapshotApi::CreateSnapshot(const v1::CreateSnapshotRequest& request) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  return deps_.snapshotter->TakeSnapshot(request.snapshot_name(), request.cluster_name(), "manual");
}

Result<v1::Snapshot> SnapshotApi::GetSnapshot(const v1::GetSnapshotRequest& request) {
  return deps_.store.GetSnapshot(request.name());
}

Result<v1::ListSnapshotsResponse> SnapshotApi::ListSnapshots(
    const v1::ListSnapshotsRequest& request) {
  const std::string& source = request.source();
  if (!source.empty() && source != "manual" && source != "automatic" && source != "imported") {
    return Status::InvalidArgument("source: must be manual, automatic or imported, got \"" +
                                   source + "\"");
  }
  Result<std::vector<v1::Snapshot>> all = deps_.store.ListSnapshots(request.cluster_name(), source);
  CAIRN_RETURN_IF_ERROR(all.status());
  v1::ListSnapshotsResponse out;
  for (v1::Snapshot& s : *all) {
    *out.add_snapshots() = std::move(s);
  }
  return out;
}

Result<v1::Snapshot> SnapshotApi::DeleteSnapshot(const v1::DeleteSnapshotRequest& request) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  Result<v1::Snapshot> s = deps_.store.GetSnapshot(request.name());
  CAIRN_RETURN_IF_ERROR(s.status());
  if (s->status() == v1::SNAPSHOT_STATUS_CREATING) {
    return Status::FailedPrecondition("snapshot \"" + request.name() +
                                      "\" is being created; delete it when it ends");
  }
  Result<std::vector<ClusterRecord>> clusters = deps_.store.ListClusters();
  CAIRN_RETURN_IF_ERROR(clusters.status());
  for (const ClusterRecord& c : *clusters) {
    if (c.desired.source_snapshot == request.name() && c.status == v1::CLUSTER_STATUS_CREATING) {
      return Status::FailedPrecondition("snapshot \"" + request.name() +
                                        "\" is being restored into cluster " + c.desired.name);
    }
  }
  CAIRN_RETURN_IF_ERROR(deps_.backups->Delete(SnapshotKey(request.name())));
  CAIRN_RETURN_IF_ERROR(deps_.store.DeleteSnapshot(request.name()));
  if (!s->cluster_name().empty()) {
    (void)deps_.store.AddEvent(ClusterResource(s->cluster_name()), "SnapshotDeleted",
                               "snapshot " + request.name() + " deleted");
  }
  return s;
}

Result<v1::Snapshot> SnapshotApi::CopySnapshot(const v1::CopySnapshotRequest& request) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  CAIRN_RETURN_IF_ERROR(
      ValidateSnapshotName("target_snapshot_name", request.target_snapshot_name()));
  Result<v1::Snapshot> source = Available(deps_.store, request.source_snapshot_name());
  CAIRN_RETURN_IF_ERROR(source.status());
  v1::Snapshot copy = *source;
  copy.set_name(request.target_snapshot_name());
  copy.set_status(v1::SNAPSHOT_STATUS_CREATING);
  if (copy.source() == "automatic") {
    copy.set_source("manual");
  }
  return StoreClaimed(std::move(copy), [&] {
    return deps_.backups->Copy(ObjectOf(*source), SnapshotKey(request.target_snapshot_name()));
  });
}

Result<v1::Snapshot> SnapshotApi::StoreClaimed(
    v1::Snapshot claimed, const std::function<Result<StoredObject>()>& write_file) {
  CAIRN_RETURN_IF_ERROR(deps_.store.InsertSnapshot(claimed));  // claims the name
  Result<StoredObject> stored = write_file();
  if (!stored.ok()) {
    (void)deps_.store.DeleteSnapshot(claimed.name());
    return stored.status();
  }
  Result<v1::Snapshot> recorded = deps_.store.GetSnapshot(claimed.name());
  CAIRN_RETURN_IF_ERROR(recorded.status());
  recorded->set_status(v1::SNAPSHOT_STATUS_AVAILABLE);
  recorded->set_size_bytes(stored->size_bytes);
  recorded->set_sha256(stored->sha256);
  CAIRN_RETURN_IF_ERROR(deps_.store.SaveSnapshot(*recorded));
  return recorded;
}

Result<v1::Snapshot> SnapshotApi::PrepareExport(const std::string& name) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  Result<v1::Snapshot> s = Available(deps_.store, name);
  CAIRN_RETURN_IF_ERROR(s.status());
  CAIRN_RETURN_IF_ERROR(deps_.backups->Verify(ObjectOf(*s)));
  return s;
}

Status SnapshotApi::ExportSnapshot(const std::string& name, const ChunkSink& sink, bool verify) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  Result<v1::Snapshot> s = Available(deps_.store, name);
  CAIRN_RETURN_IF_ERROR(s.status());
  StoredObject object = ObjectOf(*s);
  return deps_.backups->Read(object.key, verify ? &object : nullptr, sink);
}

SnapshotUpload::SnapshotUpload(SnapshotApi& api, std::string name, fs::path path)
    : api_(api),
      name_(std::move(name)),
      path_(std::move(path)),
      out_(path_, std::ios::binary | std::ios::trunc) {}

SnapshotUpload::~SnapshotUpload() {
  out_.close();
  std::error_code ec;
  fs::remove(path_, ec);
}

Status SnapshotUpload::Write(std::string_view chunk) {
  out_.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  return out_ ? Status::Ok() : Status::Unavailable("cannot write the upload to " + path_.string());
}

Result<v1::Snapshot> SnapshotUpload::Finish() {
  if (!out_.flush()) {
    return Status::Unavailable("cannot write the upload to " + path_.string());
  }
  out_.close();
  return api_.StoreImport(name_, path_);
}

Result<std::unique_ptr<SnapshotUpload>> SnapshotApi::BeginImport(const std::string& name) {
  CAIRN_RETURN_IF_ERROR(NeedBackups());
  CAIRN_RETURN_IF_ERROR(ValidateSnapshotName("snapshot_name", name));
  if (deps_.store.GetSnapshot(name).ok()) {
    return Status::AlreadyExists("snapshot \"" + name + "\" already exists");
  }
  std::error_code ec;
  fs::create_directories(deps_.scratch_dir, ec);
  fs::path path = deps_.scratch_dir / ("import-" + RandomHex(8) + ".rdb");
  std::unique_ptr<SnapshotUpload> upload(new SnapshotUpload(*this, name, path));
  if (!upload->out_) {
    return Status::Unavailable("cannot create " + path.string());
  }
  return upload;
}

Result<v1::Snapshot> SnapshotApi::StoreImport(const std::string& name, const fs::path& file) {
  Result<RdbFileInfo> info = ValidateRdbFile(file);
  CAIRN_RETURN_IF_ERROR(info.status());
  v1::Snapshot s;
  s.set_name(name);
  s.set_source("imported");
  s.set_status(v1::SNAPSHOT_STATUS_CREATING);
  s.set_engine("cairn");
  s.set_engine_version(info->redis_version);
  return StoreClaimed(std::move(s),
                      [&] { return deps_.backups->PutFile(SnapshotKey(name), file); });
}

grpc::Status SnapshotGrpcService::CreateSnapshot(grpc::ServerContext* c,
                                                 const v1::CreateSnapshotRequest* r,
                                                 v1::Operation* out) {
  return Serve(auth_, c, out, [&] { return api_.CreateSnapshot(*r); });
}
grpc::Status SnapshotGrpcService::GetSnapshot(grpc::ServerContext* c,
                                              const v1::GetSnapshotRequest* r, v1::Snapshot* out) {
  return Serve(auth_, c, out, [&] { return api_.GetSnapshot(*r); });
}
grpc::Status SnapshotGrpcService::ListSnapshots(grpc::ServerContext* c,
                                                const v1::ListSnapshotsRequest* r,
                                                v1::ListSnapshotsResponse* out) {
  return Serve(auth_, c, out, [&] { return api_.ListSnapshots(*r); });
}
grpc::Status SnapshotGrpcService::DeleteSnapshot(grpc::ServerContext* c,
                                                 const v1::DeleteSnapshotRequest* r,
                                                 v1::Snapshot* out) {
  return Serve(auth_, c, out, [&] { return api_.DeleteSnapshot(*r); });
}
grpc::Status SnapshotGrpcService::CopySnapshot(grpc::ServerContext* c,
                                               const v1::CopySnapshotRequest* r,
                                               v1::Snapshot* out) {
  return Serve(auth_, c, out, [&] { return api_.CopySnapshot(*r); });
}

grpc::Status SnapshotGrpcService::ExportSnapshot(grpc::ServerContext* c,
                                                 const v1::ExportSnapshotRequest* r,
                                                 grpc::ServerWriter<v1::SnapshotChunk>* out) {
  if (Status who = AuthenticateCall(auth_, c); !who.ok()) {
    return ToGrpcStatus(who);
  }
  return ToGrpcStatus(api_.ExportSnapshot(r->name(), [&](std::string_view chunk) {
    v1::SnapshotChunk message;
    message.set_data(std::string(chunk));
    return out->Write(message) ? Status::Ok() : Status::Unavailable("the client went away");
  }));
}

grpc::Status SnapshotGrpcService::ImportSnapshot(grpc::ServerContext* c,
                                                 grpc::ServerReader<v1::ImportSnapshotRequest>* in,
                                                 v1::Snapshot* out) {
  if (Status who = AuthenticateCall(auth_, c); !who.ok()) {
    return ToGrpcStatus(who);
  }
  v1::ImportSnapshotRequest first;
  if (!in->Read(&first) || first.part_case() != v1::ImportSnapshotRequest::kSnapshotName) {
    return ToGrpcStatus(
        Status::InvalidArgument("snapshot_name: the first message must name the snapshot"));
  }
  Result<std::unique_ptr<SnapshotUpload>> upload = api_.BeginImport(first.snapshot_name());
  if (!upload.ok()) {
    return ToGrpcStatus(upload.status());
  }
  for (v1::ImportSnapshotRequest next; in->Read(&next);) {
    if (next.part_case() != v1::ImportSnapshotRequest::kData) {
      return ToGrpcStatus(Status::InvalidArgument("data: every message after the first is data"));
    }
    if (Status written = (*upload)->Write(next.data()); !written.ok()) {
      return ToGrpcStatus(written);
    }
  }
  Result<v1::Snapshot> s = (*upload)->Finish();
  if (!s.ok()) {
    return ToGrpcStatus(s.status());
  }
  *out = std::move(*s);
  return grpc::Status::OK;
}

}  // namespace cairn::controlplane
