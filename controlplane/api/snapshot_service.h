// SnapshotService: snapshot records and files. Creating one hands off to the Snapshotter (an
// agent task) and returns its operation at once; copy, delete, export and import work on the
// backup store directly. Export and import are streams: gRPC streams for cairnctl, chunked
// HTTP bodies for REST (rest_gateway.cc), both through ExportSnapshot / ImportSnapshot here.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>

#include "cairn/v1/snapshot.grpc.pb.h"
#include "controlplane/api/api_deps.h"
#include "controlplane/api/auth.h"

namespace cairn::controlplane {

class SnapshotApi;

// An RDB file being imported: written to a private scratch file, validated and stored by
// Finish. Dropping it unfinished leaves nothing behind.
class SnapshotUpload {
 public:
  ~SnapshotUpload();
  // Appends the next bytes of the file. Unavailable when the scratch file cannot be written.
  Status Write(std::string_view chunk);
  // See SnapshotApi::BeginImport.
  Result<v1::Snapshot> Finish();

 private:
  friend class SnapshotApi;
  SnapshotUpload(SnapshotApi& api, std::string name, std::filesystem::path path);
  SnapshotApi& api_;
  std::string name_;
  std::filesystem::path path_;
  std::ofstream out_;
};

class SnapshotApi {
 public:
  explicit SnapshotApi(ApiDeps deps) : deps_(std::move(deps)) {}

  // ElastiCache's CreateSnapshot. See Snapshotter::TakeSnapshot for errors.
  Result<v1::Operation> CreateSnapshot(const v1::CreateSnapshotRequest& request);
  // NotFound.
  Result<v1::Snapshot> GetSnapshot(const v1::GetSnapshotRequest& request);
  // Newest first, filtered by cluster and source.
  Result<v1::ListSnapshotsResponse> ListSnapshots(const v1::ListSnapshotsRequest& request);
  // Deletes the file and the record and returns the record as it was. NotFound;
  // FailedPrecondition while it is CREATING or a cluster being created restores from it.
  Result<v1::Snapshot> DeleteSnapshot(const v1::DeleteSnapshotRequest& request);
  // Copies an AVAILABLE snapshot (file verified) to a new name; the copy has source "manual"
  // (so automatic snapshots can be kept past retention, as ElastiCache's CopySnapshot).
  // NotFound, AlreadyExists, FailedPrecondition (not AVAILABLE), DataLoss (corrupt file).
  Result<v1::Snapshot> CopySnapshot(const v1::CopySnapshotRequest& request);
  // Streams the verified RDB file of AVAILABLE snapshot `name` to `sink` in chunks of up to
  // 1 MiB. NotFound, FailedPrecondition (not AVAILABLE), DataLoss before any byte when the
  // stored file no longer matches its SHA-256 (`verify` false: the caller ran PrepareExport).
  Status ExportSnapshot(const std::string& name, const ChunkSink& sink, bool verify = true);
  // Starts importing snapshot `name` (InvalidArgument for the name, AlreadyExists). The
  // upload's Finish validates the file by loading it completely (InvalidArgument "not a valid
  // RDB file: ..." otherwise) and stores it as an AVAILABLE snapshot with source "imported".
  Result<std::unique_ptr<SnapshotUpload>> BeginImport(const std::string& name);
  // The snapshot if it is AVAILABLE and its file still matches its SHA-256 (DataLoss
  // otherwise): what an export checks before it sends anything.
  Result<v1::Snapshot> PrepareExport(const std::string& name);

 private:
  friend class SnapshotUpload;
  Status NeedBackups() const;
  Result<v1::Snapshot> StoreImport(const std::string& name, const std::filesystem::path& file);
  // Records `claimed` (CREATING; AlreadyExists when the name is taken), runs `write_file` to put
  // its file in the backup store, and marks it AVAILABLE with the stored size and SHA-256; a
  // failed write removes the record again.
  Result<v1::Snapshot> StoreClaimed(v1::Snapshot claimed,
                                    const std::function<Result<StoredObject>()>& write_file);
  ApiDeps deps_;
};

class SnapshotGrpcService final : public v1::SnapshotService::Service {
 public:
  SnapshotGrpcService(SnapshotApi& api, const Authenticator& auth) : api_(api), auth_(auth) {}
  grpc::Status CreateSnapshot(grpc::ServerContext* c, const v1::CreateSnapshotRequest* r,
                              v1::Operation* out) override;
  grpc::Status GetSnapshot(grpc::ServerContext* c, const v1::GetSnapshotRequest* r,
                           v1::Snapshot* out) override;
  grpc::Status ListSnapshots(grpc::ServerContext* c, const v1::ListSnapshotsRequest* r,
                             v1::ListSnapshotsResponse* out) override;
  grpc::Status DeleteSnapshot(grpc::ServerContext* c, const v1::DeleteSnapshotRequest* r,
                              v1::Snapshot* out) override;
  grpc::Status CopySnapshot(grpc::ServerContext* c, const v1::CopySnapshotRequest* r,
                            v1::Snapshot* out) override;
  grpc::Status ExportSnapshot(grpc::ServerContext* c, const v1::ExportSnapshotRequest* r,
                              grpc::ServerWriter<v1::SnapshotChunk>* out) override;
  grpc::Status ImportSnapshot(grpc::ServerContext* c,
                              grpc::ServerReader<v1::ImportSnapshotRequest>* in,
                              v1::Snapshot* out) override;

 private:
  SnapshotApi& api_;
  const Authenticator& auth_;
};

}  // namespace cairn::controlplane
