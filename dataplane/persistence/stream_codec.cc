// RDB codec of streams, as Redis 7.0's rdbSaveObject / rdbLoadObject: RDB_TYPE_STREAM_LISTPACKS_2
// (19) is written; 19 and the older RDB_TYPE_STREAM_LISTPACKS (15, without first id, max deleted
// id, entries added and entries read) are read. Value layout: node count, then per node its master
// id (16 bytes big endian) and a listpack [count, deleted, n, master fields..., 0, entries...]
// where an entry is [flags, ms delta, seq delta, (n, field, value...) | (value...), lp-count];
// then length, last id, first id, max deleted id, entries added, and the groups: name, last id,
// entries read, PEL (16-byte id, 8-byte delivery ms, delivery count), consumers (name, seen ms,
// their PEL ids). Untrusted bytes are checked fully: listpack structure (packed_blobs.h), master
// entry, every entry's shape, ascending ids, counts, and PEL ownership.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataplane/engine/types/listpack.h"
#include "dataplane/engine/types/stream.h"
#include "dataplane/persistence/packed_blobs.h"
#include "dataplane/persistence/rdb_format.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"
#include "dataplane/persistence/value_codec.h"

namespace cairn::persistence {
namespace {

using engine::Entry;
using engine::StreamId;
using engine::StreamValue;
namespace lp = engine::listpack;

std::string EncodeId(StreamId id) {
  std::string out(16, '\0');
  for (int i = 0; i < 8; i++) {
    out[static_cast<size_t>(i)] = static_cast<char>((id.ms >> (56 - 8 * i)) & 0xff);
    out[static_cast<size_t>(8 + i)] = static_cast<char>((id.seq >> (56 - 8 * i)) & 0xff);
  }
  return out;
}

StreamId DecodeId(std::string_view b) {
  StreamId id;
  for (int i = 0; i < 8; i++) {
    id.ms = (id.ms << 8) | static_cast<uint8_t>(b[static_cast<size_t>(i)]);
    id.seq = (id.seq << 8) | static_cast<uint8_t>(b[static_cast<size_t>(8 + i)]);
  }
  return id;
}

std::string EncodeNode(const engine::StreamNodeView& node) {
  std::string els;
  size_t count = 0;
  auto add_int = [&](int64_t v) {
    lp::AppendInt(els, v);
    count++;
  };
  add_int(node.live);
  add_int(node.deleted);
  add_int(static_cast<int64_t>(node.master_fields.size()));
  for (std::string_view f : node.master_fields) {
    lp::AppendString(els, f);
    count++;
  }
  add_int(0);
  for (const engine::StreamRawEntry& e : node.entries) {
    size_t n = e.fields_values.size() / 2;
    bool same = n == node.master_fields.size();
    for (size_t i = 0; same && i < n; i++) {
      same = e.fields_values[2 * i] == node.master_fields[i];
    }
    add_int((e.deleted ? 1 : 0) | (same ? 2 : 0));
    add_int(static_cast<int64_t>(e.id.ms - node.master.ms));
    add_int(static_cast<int64_t>(e.id.seq - node.master.seq));
    if (!same) {
      add_int(static_cast<int64_t>(n));
    }
    for (size_t i = 0; i < e.fields_values.size(); i++) {
      if (!same || i % 2 == 1) {
        lp::AppendString(els, e.fields_values[i]);
        count++;
      }
    }
    add_int(static_cast<int64_t>(n + 3 + (same ? 0 : n + 1)));
  }
  return lp::Finish(els, count);
}

void WriteId(RdbWriter& w, StreamId id) {
  w.WriteLength(id.ms);
  w.WriteLength(id.seq);
}

void SaveGroups(const StreamValue& s, RdbWriter& w) {
  w.WriteLength(s.groups().size());
  for (const auto& [name, g] : s.groups()) {
    w.WriteString(name);
    WriteId(w, g->last_id);
    w.WriteLength(static_cast<uint64_t>(g->entries_read));
    w.WriteLength(g->pel.size());
    for (const auto& [id, nack] : g->pel) {
      w.WriteRaw(EncodeId(id));
      w.WriteMillis(nack.delivery_time_ms);
      w.WriteLength(nack.delivery_count);
    }
    w.WriteLength(g->consumers.size());
    for (const auto& [cname, c] : g->consumers) {
      w.WriteString(cname);
      w.WriteMillis(c->seen_time_ms);
      w.WriteLength(c->pel.size());
      for (const auto& [id, nack] : c->pel) {
        w.WriteRaw(EncodeId(id));
      }
    }
  }
}

Status SaveStream(const Entry& e, RdbWriter& w) {
  const auto* s = static_cast<const StreamValue*>(e.object());
  w.WriteLength(s->node_count());
  s->VisitNodes([&](const engine::StreamNodeView& node) {
    w.WriteString(EncodeId(node.master));
    w.WriteString(EncodeNode(node));
  });
  w.WriteLength(s->length());
  WriteId(w, s->last_id);
  WriteId(w, s->first_id);
  WriteId(w, s->max_deleted_id);
  w.WriteLength(s->entries_added);
  SaveGroups(*s, w);
  return Status::Ok();
}

// ---- loading

// Reads a node's listpack elements in order.
struct NodeCursor {
  const std::vector<std::string>& el;
  size_t i = 0;

  bool NextInt(int64_t* v) {
    if (i >= el.size()) {
      return false;
    }
    std::optional<int64_t> n = lp::StringToInt64(el[i++]);
    *v = n.value_or(0);
    return n.has_value();
  }
  size_t left() const { return el.size() - i; }
};

// One entry: [flags, ms delta, seq delta, (n, field, value...) | (value...), lp-count].
Status ParseEntry(NodeCursor& c, StreamId master, const std::vector<std::string>& fields,
                  engine::StreamLoadedEntry* e) {
  int64_t flags, ms_delta, seq_delta, lp_count;
  auto n = static_cast<int64_t>(fields.size());
  if (!c.NextInt(&flags) || !c.NextInt(&ms_delta) || !c.NextInt(&seq_delta) || flags < 0 ||
      flags > 3) {
    return Status::InvalidArgument("bad entry header");
  }
  bool same = (flags & 2) != 0;
  if (!same && (!c.NextInt(&n) || n <= 0)) {
    return Status::InvalidArgument("bad entry field count");
  }
  if (static_cast<size_t>(n) * (same ? 1 : 2) > c.left()) {
    return Status::InvalidArgument("entry past the node end");
  }
  e->id = {master.ms + static_cast<uint64_t>(ms_delta),
           master.seq + static_cast<uint64_t>(seq_delta)};
  e->deleted = (flags & 1) != 0;
  for (int64_t f = 0; f < n; f++) {
    e->fields_values.push_back(same ? fields[static_cast<size_t>(f)] : c.el[c.i++]);
    e->fields_values.push_back(c.el[c.i++]);
  }
  if (!c.NextInt(&lp_count) || lp_count != n + 3 + (same ? 0 : n + 1)) {
    return Status::InvalidArgument("bad entry lp-count");
  }
  return Status::Ok();
}

// Parses a node's listpack elements into its master fields and entries, checking the shape:
// the master entry [count, deleted, n, fields..., 0], ascending ids from the master id, counts.
Status ParseNode(StreamId master, const std::vector<std::string>& el,
                 std::vector<std::string>* fields, std::vector<engine::StreamLoadedEntry>* out) {
  NodeCursor c{el};
  int64_t live, deleted, nfields, zero;
  if (!c.NextInt(&live) || !c.NextInt(&deleted) || !c.NextInt(&nfields) || live < 0 ||
      deleted < 0 || nfields <= 0 || static_cast<size_t>(nfields) > c.left()) {
    return Status::InvalidArgument("bad master entry");
  }
  for (int64_t f = 0; f < nfields; f++) {
    fields->push_back(el[c.i++]);
  }
  if (!c.NextInt(&zero) || zero != 0) {
    return Status::InvalidArgument("bad master entry terminator");
  }
  int64_t seen_live = 0, seen_deleted = 0;
  while (c.left() > 0) {
    engine::StreamLoadedEntry e;
    CAIRN_RETURN_IF_ERROR(ParseEntry(c, master, *fields, &e));
    if (out->empty() ? e.id != master : e.id <= out->back().id) {
      return Status::InvalidArgument("entry ids out of order");
    }
    (e.deleted ? seen_deleted : seen_live)++;
    out->push_back(std::move(e));
  }
  if (out->empty() || seen_live != live || seen_deleted != deleted) {
    return Status::InvalidArgument("node counts do not match its entries");
  }
  return Status::Ok();
}

Status LoadNodes(RdbReader& r, StreamValue* s) {
  size_t at = r.offset();
  Result<uint64_t> nodes = r.ReadLength("stream node count");
  if (!nodes.ok()) {
    return nodes.status();
  }
  if (*nodes > r.remaining()) {
    return RdbReader::Corrupt(at, "stream node count exceeds the data");
  }
  StreamId last;
  for (uint64_t k = 0; k < *nodes; k++) {
    size_t node_at = r.offset();
    Result<std::string> key = r.ReadString("stream node key");
    if (!key.ok()) {
      return key.status();
    }
    if (key->size() != 16) {
      return RdbReader::Corrupt(node_at, "stream node key is not 16 bytes");
    }
    StreamId master = DecodeId(*key);
    Result<std::string> blob = r.ReadString("stream node");
    if (!blob.ok()) {
      return blob.status();
    }
    Result<std::vector<std::string>> el = DecodeListpack(*blob);
    std::vector<std::string> fields;
    std::vector<engine::StreamLoadedEntry> entries;
    Status st = el.ok() ? ParseNode(master, *el, &fields, &entries) : el.status();
    if (!st.ok()) {
      return RdbReader::Corrupt(node_at, "stream node: " + std::string(st.message()));
    }
    if (k > 0 && master <= last) {
      return RdbReader::Corrupt(node_at, "stream nodes out of order");
    }
    last = entries.back().id;
    s->LoadNode(master, fields, entries);
  }
  return Status::Ok();
}

Result<StreamId> ReadId(RdbReader& r, const char* what) {
  Result<uint64_t> ms = r.ReadLength(what);
  if (!ms.ok()) {
    return ms.status();
  }
  Result<uint64_t> seq = r.ReadLength(what);
  if (!seq.ok()) {
    return seq.status();
  }
  return StreamId{*ms, *seq};
}

// Moves a read's value into *out, or returns its error.
template <typename T>
Status Take(Result<T> r, T* out) {
  if (!r.ok()) {
    return r.status();
  }
  *out = std::move(*r);
  return Status::Ok();
}

// The group PEL: ids with delivery time and count, owners filled in from the consumers.
Status LoadConsumers(RdbReader& r, engine::StreamGroup* g, int64_t now) {
  (void)now;
  size_t at = r.offset();
  uint64_t consumers = 0;
  CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream consumer count"), &consumers));
  if (consumers > r.remaining()) {
    return RdbReader::Corrupt(at, "stream consumer count exceeds the data");
  }
  for (uint64_t c = 0; c < consumers; c++) {
    std::string name;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadString("stream consumer name"), &name));
    int64_t seen = 0;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadMillis(), &seen));
    bool created;
    engine::StreamConsumer* consumer = g->LookupOrCreateConsumer(name, seen, &created);
    if (!created) {
      return RdbReader::Corrupt(at, "duplicate stream consumer");
    }
    uint64_t pending = 0;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream consumer PEL size"), &pending));
    if (pending > r.remaining() / 16) {
      return RdbReader::Corrupt(at, "stream consumer PEL exceeds the data");
    }
    for (uint64_t p = 0; p < pending; p++) {
      std::string_view raw;
      CAIRN_RETURN_IF_ERROR(Take(r.ReadBytes(16, "stream consumer PEL id"), &raw));
      auto nack = g->pel.find(DecodeId(raw));
      if (nack == g->pel.end() || nack->second.consumer != nullptr) {
        return RdbReader::Corrupt(at, "stream consumer PEL id not in the group PEL");
      }
      nack->second.consumer = consumer;
      consumer->pel[nack->first] = &nack->second;
    }
  }
  for (const auto& [id, nack] : g->pel) {
    if (nack.consumer == nullptr) {
      return RdbReader::Corrupt(at, "stream group PEL entry without a consumer");
    }
  }
  return Status::Ok();
}

Status LoadGroups(RdbReader& r, StreamValue* s, bool v2) {
  size_t at = r.offset();
  uint64_t groups = 0;
  CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream group count"), &groups));
  if (groups > r.remaining()) {
    return RdbReader::Corrupt(at, "stream group count exceeds the data");
  }
  for (uint64_t k = 0; k < groups; k++) {
    size_t g_at = r.offset();
    std::string name;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadString("stream group name"), &name));
    StreamId last{};
    CAIRN_RETURN_IF_ERROR(Take(ReadId(r, "stream group last id"), &last));
    int64_t entries_read = engine::kInvalidEntriesRead;
    if (v2) {
      uint64_t er = 0;
      CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream group entries read"), &er));
      entries_read = static_cast<int64_t>(er);
    } else {
      entries_read = s->EstimateEntriesRead(last);
    }
    engine::StreamGroup* g = s->CreateGroup(name, last, entries_read);
    if (g == nullptr) {
      return RdbReader::Corrupt(g_at, "duplicate stream group");
    }
    uint64_t pel = 0;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream group PEL size"), &pel));
    if (pel > r.remaining() / 17) {
      return RdbReader::Corrupt(g_at, "stream group PEL exceeds the data");
    }
    for (uint64_t p = 0; p < pel; p++) {
      std::string_view raw;
      CAIRN_RETURN_IF_ERROR(Take(r.ReadBytes(16, "stream PEL id"), &raw));
      int64_t when = 0;
      CAIRN_RETURN_IF_ERROR(Take(r.ReadMillis(), &when));
      uint64_t count = 0;
      CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream PEL delivery count"), &count));
      StreamId id = DecodeId(raw);
      if (!g->pel.empty() && id <= g->pel.rbegin()->first) {
        return RdbReader::Corrupt(g_at, "stream group PEL out of order");
      }
      g->pel[id] = engine::StreamNack{.delivery_time_ms = when, .delivery_count = count};
    }
    CAIRN_RETURN_IF_ERROR(LoadConsumers(r, g, 0));
  }
  return Status::Ok();
}

Status LoadMeta(RdbReader& r, StreamValue* s, bool v2) {
  size_t at = r.offset();
  uint64_t length = 0;
  CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream length"), &length));
  StreamId last{};
  CAIRN_RETURN_IF_ERROR(Take(ReadId(r, "stream last id"), &last));
  if (length != s->length() || (s->length() > 0 && last < s->LastEntryId())) {
    return RdbReader::Corrupt(at, "stream length or last id does not match its entries");
  }
  s->last_id = last;
  if (v2) {
    StreamId first{};
    CAIRN_RETURN_IF_ERROR(Take(ReadId(r, "stream first id"), &first));
    StreamId max_deleted{};
    CAIRN_RETURN_IF_ERROR(Take(ReadId(r, "stream max deleted id"), &max_deleted));
    uint64_t added = 0;
    CAIRN_RETURN_IF_ERROR(Take(r.ReadLength("stream entries added"), &added));
    s->first_id = first;
    s->max_deleted_id = max_deleted;
    s->entries_added = added;
  } else {
    s->first_id = s->FirstEntryId();
    s->entries_added = s->length();
  }
  return Status::Ok();
}

Result<Entry*> LoadStream(uint8_t type, std::string_view key, bool has_expire, int64_t expire_at_ms,
                          RdbReader& r) {
  bool v2 = type == kTypeStreamListpacks2;
  auto s = std::make_unique<StreamValue>();
  CAIRN_RETURN_IF_ERROR(LoadNodes(r, s.get()));
  CAIRN_RETURN_IF_ERROR(LoadMeta(r, s.get(), v2));
  CAIRN_RETURN_IF_ERROR(LoadGroups(r, s.get(), v2));
  return Entry::NewObject(key, engine::ValueType::kStream, engine::Encoding::kStream, s.release(),
                          has_expire, expire_at_ms);
}

}  // namespace

const ValueCodec& StreamCodec() {
  static const ValueCodec kCodec{
      engine::ValueType::kStream, [](const Entry&) { return kTypeStreamListpacks2; }, SaveStream,
      [](uint8_t t) { return t == kTypeStreamListpacks || t == kTypeStreamListpacks2; },
      LoadStream};
  return kCodec;
}

}  // namespace cairn::persistence
