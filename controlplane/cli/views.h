// The default (table) layout of each API resource: lists as aligned columns, single resources as
// "Key: value" lines followed by their child lists (a cluster's nodes, an operation's steps).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/timestamp.pb.h>

#include "cairn/v1/catalog.pb.h"
#include "cairn/v1/cluster.pb.h"
#include "cairn/v1/event.pb.h"
#include "cairn/v1/host.pb.h"
#include "cairn/v1/operation.pb.h"
#include "cairn/v1/snapshot.pb.h"
#include "cairn/v1/token.pb.h"

namespace cairn::controlplane::cli {

// An enum value's name without its type prefix: "CLUSTER_STATUS_AVAILABLE" -> "AVAILABLE" given
// prefix "CLUSTER_STATUS_". "UNSPECIFIED" and unknown values become "" (shown as "-").
std::string ShortEnumName(std::string_view full_name, std::string_view prefix);

std::string StateName(v1::OperationState state);    // "RUNNING"
std::string StatusName(v1::ClusterStatus status);   // "AVAILABLE"
std::string StatusName(v1::NodeStatus status);      // "SYNCING"
std::string StatusName(v1::HostStatus status);      // "CORDONED"
std::string StatusName(v1::SnapshotStatus status);  // "AVAILABLE"
std::string RoleName(v1::NodeRole role);            // "primary" / "replica"

// RFC 3339 in UTC ("2024-05-01T12:00:00Z"); "" for an unset (zero) timestamp.
std::string FormatTime(const google::protobuf::Timestamp& time);

// Binary units: "256 MiB", "1 GiB", "1.5 GiB", "512 B".
std::string FormatBytes(int64_t bytes);

// "10.0.0.5:7001"; "" when the address is empty.
std::string FormatEndpoint(const v1::Endpoint& endpoint);

std::string ClusterListView(const v1::ListClustersResponse& response);
std::string ClusterView(const v1::Cluster& cluster);
std::string NodeListView(const v1::ListNodesResponse& response);
std::string OperationView(const v1::Operation& operation);
std::string OperationListView(const v1::ListOperationsResponse& response);
std::string EventListView(const v1::ListEventsResponse& response);
std::string HostListView(const v1::ListHostsResponse& response);
std::string HostView(const v1::Host& host);
std::string JoinTokenView(const v1::JoinToken& token);
std::string TokenListView(const v1::ListTokensResponse& response);
std::string TokenView(const v1::Token& token);
std::string NodeTypeListView(const v1::ListNodeTypesResponse& response);
std::string EngineVersionListView(const v1::ListEngineVersionsResponse& response);
// NAME CLUSTER STATUS SOURCE SIZE CREATED; SIZE is "-" until the snapshot is AVAILABLE.
std::string SnapshotListView(const v1::ListSnapshotsResponse& response);
// One snapshot's fields: origin, restore defaults, size (units and exact bytes), SHA-256 and,
// when FAILED, the reason and message.
std::string SnapshotView(const v1::Snapshot& snapshot);
// The result of `snapshot export NAME FILE`: what was written where, its size and SHA-256.
std::string SnapshotExportView(const std::string& name, const std::string& path, int64_t bytes,
                               const std::string& sha256);

}  // namespace cairn::controlplane::cli
