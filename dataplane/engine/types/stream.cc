// StreamValue: packed entry nodes by master id, ids, trimming and consumer-group bookkeeping.
//
// Node bytes: the master fields ("varint count, then varint len + bytes per field"), then one
// record per entry:
//   flags (1 byte: kDeleted, kSameFields) | varint ms delta | varint seq | payload | backlen
// where seq is relative to the master seq when the ms delta is 0 and absolute otherwise, the
// payload is the values only (kSameFields) or "varint n, n field/value pairs", each string as
// varint len + bytes, and backlen is the record's size written right to left (Packed's scheme)
// so nodes can be walked backwards for XREVRANGE.
#include "dataplane/engine/types/stream.h"

#include <malloc.h>

#include <charconv>

#include "dataplane/engine/types/listpack.h"
#include "dataplane/engine/varint.h"

namespace cairn::engine {
namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

void AppendVarint(std::string& buf, uint64_t v) {
  char tmp[10];
  buf.append(tmp, static_cast<size_t>(PutVarint(tmp, v) - tmp));
}

void AppendString(std::string& buf, std::string_view s) {
  AppendVarint(buf, s.size());
  buf.append(s);
}

// Writes `v` so that it reads right to left: the last byte holds the low 7 bits.
void AppendBackLen(std::string& buf, uint64_t v) {
  char groups[10];
  size_t n = 0;
  do {
    groups[n++] = static_cast<char>(v & 0x7f);
    v >>= 7;
  } while (v != 0);
  for (size_t i = n; i-- > 0;) {
    buf.push_back(static_cast<char>(groups[i] | (i + 1 < n ? 0x80 : 0)));
  }
}

// Reads a back length ending just before `end`; `*start` becomes its first byte.
uint64_t ReadBackLen(const char* end, const char** start) {
  uint64_t v = 0;
  int shift = 0;
  const char* p = end;
  while (true) {
    auto b = static_cast<uint8_t>(*--p);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0 || shift >= 64) {
      break;
    }
  }
  *start = p;
  return v;
}

std::string_view ReadString(const char** p) {
  uint64_t n;
  *p = GetVarint(*p, &n);
  std::string_view s(*p, n);
  *p += n;
  return s;
}

}  // namespace

bool StreamId::Increment() {
  if (seq != UINT64_MAX) {
    seq++;
    return true;
  }
  if (ms == UINT64_MAX) {
    return false;
  }
  ms++;
  seq = 0;
  return true;
}

bool StreamId::Decrement() {
  if (seq != 0) {
    seq--;
    return true;
  }
  if (ms == 0) {
    return false;
  }
  ms--;
  seq = UINT64_MAX;
  return true;
}

std::string StreamId::ToString() const {
  return std::to_string(ms) + "-" + std::to_string(seq);
}

std::optional<StreamId> ParseStreamId(std::string_view text, uint64_t missing_seq) {
  auto parse = [](std::string_view s) -> std::optional<uint64_t> {
    uint64_t v;
    if (s.empty() || s[0] < '0' || s[0] > '9') {
      return std::nullopt;
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) {
      return std::nullopt;
    }
    return v;
  };
  if (text.size() > 127) {
    return std::nullopt;
  }
  size_t dash = text.find('-');
  std::optional<uint64_t> ms = parse(text.substr(0, dash));
  if (!ms) {
    return std::nullopt;
  }
  if (dash == std::string_view::npos) {
    return StreamId{*ms, missing_seq};
  }
  std::optional<uint64_t> seq = parse(text.substr(dash + 1));
  if (!seq) {
    return std::nullopt;
  }
  return StreamId{*ms, *seq};
}

// One packed node (see the file comment for its bytes).
class StreamNode {
 public:
  // A node whose master fields are every other element of `fields_values` (from 0, `step` 2) or
  // all of them (`step` 1).
  StreamNode(StreamId master, const std::vector<std::string_view>& fields, size_t step)
      : master_(master) {
    size_t n = fields.size() / step;
    AppendVarint(buf_, n);
    lp_fixed_ = listpack::kOverhead + listpack::IntElementSize(static_cast<int64_t>(n)) +
                listpack::IntElementSize(0);
    for (size_t i = 0; i < n; i++) {
      AppendString(buf_, fields[step * i]);
      lp_fixed_ += listpack::ElementSize(fields[step * i]);
    }
    master_end_ = static_cast<uint32_t>(buf_.size());
    nmaster_ = static_cast<uint32_t>(n);
  }

  // The bytes this node would take as a Redis listpack (stream-node-max-bytes applies to it).
  size_t RedisBytes() const {
    return lp_fixed_ + listpack::IntElementSize(live) + listpack::IntElementSize(deleted);
  }
  StreamNode(const StreamNode&) = default;

  StreamId master() const { return master_; }
  size_t bytes() const { return buf_.size(); }
  size_t Begin() const { return master_end_; }
  size_t End() const { return buf_.size(); }
  void Shrink() { buf_.shrink_to_fit(); }
  size_t AllocatedBytes() const {
    return buf_.capacity() > 15 ? malloc_usable_size(const_cast<char*>(buf_.data())) : 0;
  }

  uint32_t live = 0;
  uint32_t deleted = 0;

  std::vector<std::string_view> MasterFields() const {
    const char* p = buf_.data();
    uint64_t n;
    p = GetVarint(p, &n);
    std::vector<std::string_view> fields;
    fields.reserve(n);
    for (uint64_t i = 0; i < n; i++) {
      fields.push_back(ReadString(&p));
    }
    return fields;
  }

  // Appends a record; returns its position.
  size_t Append(StreamId id, const std::vector<std::string_view>& fv) {
    size_t start = buf_.size();
    size_t n = fv.size() / 2;
    bool same = SameFields(fv);
    buf_.push_back(static_cast<char>(same ? kSameFields : 0));
    uint64_t ms_delta = id.ms - master_.ms;
    lp_fixed_ += RedisEntryBytes(id, fv, same);
    AppendVarint(buf_, ms_delta);
    AppendVarint(buf_, ms_delta == 0 ? id.seq - master_.seq : id.seq);
    if (!same) {
      AppendVarint(buf_, n);
    }
    for (size_t i = 0; i < fv.size(); i++) {
      if (!same || i % 2 == 1) {
        AppendString(buf_, fv[i]);
      }
    }
    AppendBackLen(buf_, buf_.size() - start);
    live++;
    return start;
  }

  // Whether `fv`'s fields are the master fields, in order (walks the bytes: no allocation).
  bool SameFields(const std::vector<std::string_view>& fv) const {
    if (fv.size() / 2 != nmaster_) {
      return false;
    }
    const char* p = buf_.data();
    uint64_t n;
    p = GetVarint(p, &n);
    for (size_t i = 0; i < nmaster_; i++) {
      if (ReadString(&p) != fv[2 * i]) {
        return false;
      }
    }
    return true;
  }

  // Bytes of an entry in a Redis stream listpack: flags, ms and seq deltas, [count, fields],
  // values, lp-count.
  size_t RedisEntryBytes(StreamId id, const std::vector<std::string_view>& fv, bool same) const {
    size_t n = fv.size() / 2;
    size_t bytes = listpack::IntElementSize(same ? kSameFields : 0) +
                   listpack::IntElementSize(static_cast<int64_t>(id.ms - master_.ms)) +
                   listpack::IntElementSize(static_cast<int64_t>(id.seq - master_.seq));
    int64_t lp_count = static_cast<int64_t>(n) + 3;
    if (!same) {
      bytes += listpack::IntElementSize(static_cast<int64_t>(n));
      lp_count += static_cast<int64_t>(n) + 1;
    }
    for (size_t i = 0; i < fv.size(); i++) {
      if (!same || i % 2 == 1) {
        bytes += listpack::ElementSize(fv[i]);
      }
    }
    return bytes + listpack::IntElementSize(lp_count);
  }

  // Reads the record at `pos`: its id and flags, optionally its fields and values. Returns the
  // position of the next record.
  size_t Read(size_t pos, const std::vector<std::string_view>* master_fields, StreamId* id,
              uint8_t* flags, std::vector<std::string_view>* fv) const {
    const char* p = buf_.data() + pos;
    *flags = static_cast<uint8_t>(*p++);
    uint64_t ms_delta, seq;
    p = GetVarint(p, &ms_delta);
    p = GetVarint(p, &seq);
    *id = {master_.ms + ms_delta, ms_delta == 0 ? master_.seq + seq : seq};
    uint64_t n = nmaster_;
    if ((*flags & kSameFields) == 0) {
      p = GetVarint(p, &n);
    }
    if (fv != nullptr) {
      fv->clear();
    }
    bool same = (*flags & kSameFields) != 0;
    for (uint64_t i = 0; i < n; i++) {
      std::string_view field;
      if (!same) {
        field = ReadString(&p);
      } else if (master_fields != nullptr) {
        field = (*master_fields)[i];
      }
      std::string_view value = ReadString(&p);
      if (fv != nullptr) {
        fv->push_back(field);
        fv->push_back(value);
      }
    }
    size_t rec_len = static_cast<size_t>(p - (buf_.data() + pos));
    return pos + rec_len + BackLenSize(rec_len);
  }

  // Start of the record before the one at `pos`. REQUIRES: pos > Begin().
  size_t Prev(size_t pos) const {
    const char* start;
    uint64_t len = ReadBackLen(buf_.data() + pos, &start);
    return static_cast<size_t>(start - buf_.data()) - len;
  }

  void MarkDeleted(size_t pos) {
    buf_[pos] = static_cast<char>(buf_[pos] | kDeleted);
    live--;
    deleted++;
  }

  // The last record's id (live or not). REQUIRES: the node has a record.
  StreamId LastId() const {
    StreamId id;
    uint8_t flags;
    Read(Prev(End()), nullptr, &id, &flags, nullptr);
    return id;
  }

 private:
  static size_t BackLenSize(size_t v) { return VarintSize(v); }

  StreamId master_;
  std::string buf_;
  uint32_t master_end_ = 0;
  uint32_t nmaster_ = 0;
  size_t lp_fixed_ = 0;
};

StreamValue::StreamValue() = default;
StreamValue::~StreamValue() = default;

void StreamValue::Append(StreamId id, const std::vector<std::string_view>& fields_values,
                         const StreamLimits& limits) {
  StreamNode* node = nodes_.empty() ? nullptr : nodes_.rbegin()->second.get();
  if (node != nullptr) {
    size_t total = 0;
    for (std::string_view s : fields_values) {
      total += s.size();
    }
    int64_t max_bytes = limits.node_max_bytes > 0 ? limits.node_max_bytes : int64_t{1} << 30;
    bool full = static_cast<int64_t>(node->RedisBytes() + total) >= max_bytes ||
                (limits.node_max_entries > 0 &&
                 static_cast<int64_t>(node->live + node->deleted) >= limits.node_max_entries);
    if (full) {
      node->Shrink();
      node = nullptr;
    }
  }
  if (node == nullptr) {
    auto fresh = std::make_unique<StreamNode>(id, fields_values, 2);
    node = fresh.get();
    nodes_.emplace(id, std::move(fresh));
  }
  node->Append(id, fields_values);
  if (length_ == 0) {
    first_id = id;
  }
  length_++;
  entries_added++;
  last_id = id;
}

void StreamValue::Range(StreamId start, StreamId end, bool reverse,
                        const std::function<bool(const StreamEntry&)>& visit) const {
  if (nodes_.empty() || start > end) {
    return;
  }
  reverse ? RangeReverse(start, end, visit) : RangeForward(start, end, visit);
}

void StreamValue::RangeForward(StreamId start, StreamId end,
                               const std::function<bool(const StreamEntry&)>& visit) const {
  StreamEntry entry;
  uint8_t flags;
  auto it = nodes_.upper_bound(start);
  if (it != nodes_.begin()) {
    --it;
  }
  for (; it != nodes_.end() && it->first <= end; ++it) {
    const StreamNode& node = *it->second;
    std::vector<std::string_view> master = node.MasterFields();
    for (size_t pos = node.Begin(); pos < node.End();) {
      pos = node.Read(pos, &master, &entry.id, &flags, &entry.fields_values);
      if (entry.id > end) {
        return;
      }
      if ((flags & kDeleted) == 0 && entry.id >= start && !visit(entry)) {
        return;
      }
    }
  }
}

void StreamValue::RangeReverse(StreamId start, StreamId end,
                               const std::function<bool(const StreamEntry&)>& visit) const {
  StreamEntry entry;
  uint8_t flags;
  auto it = nodes_.upper_bound(end);
  while (it != nodes_.begin()) {
    --it;
    const StreamNode& node = *it->second;
    std::vector<std::string_view> master = node.MasterFields();
    for (size_t pos = node.End(); pos > node.Begin();) {
      pos = node.Prev(pos);
      node.Read(pos, &master, &entry.id, &flags, &entry.fields_values);
      if (entry.id < start) {
        return;
      }
      if ((flags & kDeleted) == 0 && entry.id <= end && !visit(entry)) {
        return;
      }
    }
  }
}

std::optional<StreamEntry> StreamValue::Get(StreamId id) const {
  std::optional<StreamEntry> found;
  Range(id, id, false, [&](const StreamEntry& e) {
    found = e;
    return false;
  });
  return found;
}

StreamId StreamValue::FirstEntryId() const {
  StreamId id;
  Range({}, StreamId::Max(), false, [&](const StreamEntry& e) {
    id = e.id;
    return false;
  });
  return id;
}

StreamId StreamValue::LastEntryId() const {
  StreamId id;
  Range({}, StreamId::Max(), true, [&](const StreamEntry& e) {
    id = e.id;
    return false;
  });
  return id;
}

void StreamValue::UpdateFirstId() {
  first_id = length_ == 0 ? StreamId{} : FirstEntryId();
}

bool StreamValue::Delete(StreamId id) {
  auto it = nodes_.upper_bound(id);
  if (it == nodes_.begin()) {
    return false;
  }
  --it;
  StreamNode& node = *it->second;
  StreamId cur;
  uint8_t flags;
  for (size_t pos = node.Begin(); pos < node.End();) {
    size_t next = node.Read(pos, nullptr, &cur, &flags, nullptr);
    if (cur > id) {
      return false;
    }
    if (cur == id) {
      if (flags & kDeleted) {
        return false;
      }
      node.MarkDeleted(pos);
      length_--;
      if (node.live == 0) {
        nodes_.erase(it);
      }
      if (id > max_deleted_id) {
        max_deleted_id = id;
      }
      UpdateFirstId();
      return true;
    }
    pos = next;
  }
  return false;
}

int64_t StreamValue::DropFirstNode() {
  auto it = nodes_.begin();
  int64_t live = it->second->live;
  nodes_.erase(it);
  length_ -= static_cast<uint64_t>(live);
  return live;
}

int64_t StreamValue::Trim(const StreamTrim& trim) {
  using Strategy = StreamTrim::Strategy;
  bool maxlen = trim.strategy == Strategy::kMaxLen;
  if (trim.strategy == Strategy::kNone ||
      (maxlen && static_cast<int64_t>(length_) <= trim.threshold)) {
    return 0;
  }
  int64_t removed = 0;
  while (!nodes_.empty()) {
    if (maxlen && static_cast<int64_t>(length_) <= trim.threshold) {
      break;
    }
    if (trim.limit > 0 && removed + trim.node_max_entries > trim.limit) {
      break;
    }
    StreamNode& node = *nodes_.begin()->second;
    bool whole = maxlen ? static_cast<int64_t>(length_ - node.live) >= trim.threshold
                        : node.LastId() < trim.min_id;
    if (whole) {
      removed += DropFirstNode();
      if (trim.limit > 0 && removed >= trim.limit) {
        break;
      }
      continue;
    }
    if (trim.approx) {
      break;
    }
    StreamId cur;
    uint8_t flags;
    for (size_t pos = node.Begin(); pos < node.End();) {
      size_t next = node.Read(pos, nullptr, &cur, &flags, nullptr);
      bool stop = maxlen ? static_cast<int64_t>(length_) <= trim.threshold : cur >= trim.min_id;
      if (stop) {
        break;
      }
      if ((flags & kDeleted) == 0) {
        node.MarkDeleted(pos);
        length_--;
        removed++;
      }
      pos = next;
    }
    break;
  }
  UpdateFirstId();
  return removed;
}

int64_t StreamValue::EstimateEntriesRead(StreamId id) const {
  if (entries_added == 0) {
    return 0;
  }
  if (length_ == 0 && id <= last_id) {
    return static_cast<int64_t>(entries_added);
  }
  if (id == last_id) {
    return static_cast<int64_t>(entries_added);
  }
  if (id > last_id) {
    return kInvalidEntriesRead;
  }
  if (max_deleted_id.IsZero() || max_deleted_id < first_id) {
    if (id < first_id) {
      return static_cast<int64_t>(entries_added - length_);
    }
    if (id == first_id) {
      return static_cast<int64_t>(entries_added - length_ + 1);
    }
  }
  return kInvalidEntriesRead;
}

bool StreamValue::HasTombstonesFrom(StreamId start) const {
  if (length_ == 0 || max_deleted_id.IsZero()) {
    return false;
  }
  return start <= max_deleted_id;
}

std::optional<int64_t> StreamValue::GroupLag(const StreamGroup& group) const {
  if (entries_added == 0) {
    return 0;
  }
  if (group.entries_read != kInvalidEntriesRead && !HasTombstonesFrom(group.last_id)) {
    return static_cast<int64_t>(entries_added) - group.entries_read;
  }
  int64_t read = EstimateEntriesRead(group.last_id);
  if (read == kInvalidEntriesRead) {
    return std::nullopt;
  }
  return static_cast<int64_t>(entries_added) - read;
}

void StreamValue::VisitNodes(const std::function<void(const StreamNodeView&)>& visit) const {
  StreamNodeView view;
  uint8_t flags;
  for (const auto& [master, node] : nodes_) {
    view.master = master;
    view.live = node->live;
    view.deleted = node->deleted;
    view.master_fields = node->MasterFields();
    view.entries.clear();
    for (size_t pos = node->Begin(); pos < node->End();) {
      StreamRawEntry e;
      pos = node->Read(pos, &view.master_fields, &e.id, &flags, &e.fields_values);
      e.deleted = (flags & kDeleted) != 0;
      view.entries.push_back(std::move(e));
    }
    visit(view);
  }
}

void StreamValue::LoadNode(StreamId master, const std::vector<std::string>& master_fields,
                           const std::vector<StreamLoadedEntry>& entries) {
  std::vector<std::string_view> fields(master_fields.begin(), master_fields.end());
  auto node = std::make_unique<StreamNode>(master, fields, 1);
  for (const StreamLoadedEntry& e : entries) {
    std::vector<std::string_view> fv(e.fields_values.begin(), e.fields_values.end());
    size_t pos = node->Append(e.id, fv);
    if (e.deleted) {
      node->MarkDeleted(pos);
    }
  }
  length_ += node->live;
  nodes_.emplace(master, std::move(node));
}

StreamGroup* StreamValue::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* StreamValue::CreateGroup(std::string_view name, StreamId last, int64_t read) {
  if (groups_.find(name) != groups_.end()) {
    return nullptr;
  }
  auto group = std::make_unique<StreamGroup>(last, read);
  StreamGroup* g = group.get();
  groups_.emplace(std::string(name), std::move(group));
  return g;
}

bool StreamValue::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) {
    return false;
  }
  groups_.erase(it);
  return true;
}

size_t StreamValue::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  for (const auto& [id, node] : nodes_) {
    bytes += 80 + sizeof(StreamNode) + node->AllocatedBytes();
  }
  for (const auto& [name, g] : groups_) {
    bytes += 96 + name.size() + sizeof(StreamGroup) + g->pel.size() * 80;
    bytes += g->consumers.size() * (96 + sizeof(StreamConsumer));
  }
  return bytes;
}

std::unique_ptr<Value> StreamValue::Clone() const {
  auto copy = std::make_unique<StreamValue>();
  for (const auto& [id, node] : nodes_) {
    copy->nodes_.emplace(id, std::make_unique<StreamNode>(*node));
  }
  copy->length_ = length_;
  copy->last_id = last_id;
  copy->first_id = first_id;
  copy->max_deleted_id = max_deleted_id;
  copy->entries_added = entries_added;
  for (const auto& [name, g] : groups_) {
    StreamGroup* cg = copy->CreateGroup(name, g->last_id, g->entries_read);
    for (const auto& [cname, c] : g->consumers) {
      bool created;
      StreamConsumer* cc = cg->LookupOrCreateConsumer(cname, c->seen_time_ms, &created);
      for (const auto& [pid, nack] : c->pel) {
        cg->Assign(pid, cc, nack->delivery_time_ms, nack->delivery_count);
      }
    }
  }
  return copy;
}

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::LookupOrCreateConsumer(std::string_view name, int64_t now_ms,
                                                    bool* created) {
  StreamConsumer* c = FindConsumer(name);
  *created = c == nullptr;
  if (c == nullptr) {
    auto fresh = std::make_unique<StreamConsumer>(std::string(name), now_ms);
    c = fresh.get();
    consumers.emplace(std::string(name), std::move(fresh));
  }
  return c;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) {
    return 0;
  }
  size_t pending = it->second->pel.size();
  for (const auto& [id, nack] : it->second->pel) {
    pel.erase(id);
  }
  consumers.erase(it);
  return pending;
}

StreamNack* StreamGroup::Assign(StreamId id, StreamConsumer* consumer, int64_t now_ms,
                                uint64_t delivery_count) {
  StreamNack& nack = pel[id];
  if (nack.consumer != nullptr && nack.consumer != consumer) {
    nack.consumer->pel.erase(id);
  }
  nack.consumer = consumer;
  nack.delivery_time_ms = now_ms;
  nack.delivery_count = delivery_count;
  consumer->pel[id] = &nack;
  return &nack;
}

bool StreamGroup::Acknowledge(StreamId id) {
  auto it = pel.find(id);
  if (it == pel.end()) {
    return false;
  }
  it->second.consumer->pel.erase(id);
  pel.erase(it);
  return true;
}

}  // namespace cairn::engine
