-- Desired state (clusters, nodes), observed state (hosts, node status), operations, events,
-- API tokens and agent join tokens. Protos are stored as serialized blobs where the API shape is
-- the record itself (operations).
CREATE TABLE clusters (
  name TEXT PRIMARY KEY,
  spec BLOB NOT NULL,                 -- cairn.v1.Cluster: desired fields only, no secrets
  auth_token TEXT NOT NULL DEFAULT '',-- default user's password, needed verbatim by the nodes
  status INTEGER NOT NULL,            -- cairn.v1.ClusterStatus
  generation INTEGER NOT NULL,
  observed_generation INTEGER NOT NULL DEFAULT 0,
  deleting INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);

CREATE TABLE nodes (
  id TEXT PRIMARY KEY,                -- demo-0001-002
  cluster TEXT NOT NULL REFERENCES clusters(name),
  shard_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  host_id TEXT NOT NULL,
  port INTEGER NOT NULL,
  is_primary INTEGER NOT NULL,
  memory_bytes INTEGER NOT NULL,
  removing INTEGER NOT NULL DEFAULT 0,
  running INTEGER NOT NULL DEFAULT 0,
  observed_role TEXT NOT NULL DEFAULT '',
  link_status TEXT NOT NULL DEFAULT '',
  replication_offset INTEGER NOT NULL DEFAULT 0,
  spec_generation INTEGER NOT NULL DEFAULT 0,
  last_exit_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX nodes_by_cluster ON nodes(cluster);
CREATE INDEX nodes_by_host ON nodes(host_id);

CREATE TABLE hosts (
  id TEXT PRIMARY KEY,
  address TEXT NOT NULL DEFAULT '',
  zone TEXT NOT NULL DEFAULT '',
  cordoned INTEGER NOT NULL DEFAULT 0,
  memory_bytes INTEGER NOT NULL DEFAULT 0,
  node_port_from INTEGER NOT NULL DEFAULT 0,
  node_port_to INTEGER NOT NULL DEFAULT 0,
  engines TEXT NOT NULL DEFAULT '',   -- "cairn=0.1.0,redis=7.0.15"
  last_heartbeat_ms INTEGER NOT NULL DEFAULT 0,
  joined_at_ms INTEGER NOT NULL
);

CREATE TABLE operations (
  id TEXT PRIMARY KEY,
  resource TEXT NOT NULL,
  state INTEGER NOT NULL,             -- cairn.v1.OperationState
  request_id TEXT,                    -- idempotency key of the request that created it
  proto BLOB NOT NULL,                -- cairn.v1.Operation
  created_at_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX operations_by_request ON operations(request_id) WHERE request_id IS NOT NULL;
CREATE INDEX operations_by_resource ON operations(resource, created_at_ms);

CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  resource TEXT NOT NULL,
  type TEXT NOT NULL,
  message TEXT NOT NULL,
  operation_id TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX events_by_time ON events(created_at_ms);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  secret_sha256 TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at_ms INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE join_tokens (
  id TEXT PRIMARY KEY,
  secret_sha256 TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  used_by_host TEXT NOT NULL DEFAULT ''
);
