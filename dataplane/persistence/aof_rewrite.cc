// The dataset as commands. Collections go out in batches so no command grows without bound.
#include "dataplane/persistence/aof_rewrite.h"

#include "dataplane/base/strings.h"
#include "dataplane/engine/types/hash.h"
#include "dataplane/engine/types/list.h"
#include "dataplane/engine/types/set.h"
#include "dataplane/engine/types/zset.h"
#include "dataplane/persistence/aof_stream.h"
#include "dataplane/persistence/dump_payload.h"

namespace cairn::persistence {
namespace {

constexpr size_t kItemsPerCommand = 64;  // Redis's AOF_REWRITE_ITEMS_PER_CMD
constexpr size_t kChunkBytes = 64 * 1024;

// Collects one key's commands: `head` (e.g. RPUSH key) followed by items, split every
// kItemsPerCommand items (an item is one or two words: a member, or score+member).
class Batcher {
 public:
  Batcher(std::string& out, std::vector<std::string> head) : out_(out), head_(std::move(head)) {}
  ~Batcher() { Flush(); }
  void Add(std::string_view a) {
    words_.emplace_back(a);
    Count();
  }
  void Add(std::string_view a, std::string_view b) {
    words_.emplace_back(a);
    words_.emplace_back(b);
    Count();
  }

 private:
  void Count() {
    if (++items_ == kItemsPerCommand) {
      Flush();
    }
  }
  void Flush() {
    if (items_ == 0) {
      return;
    }
    std::vector<std::string_view> args(head_.begin(), head_.end());
    args.insert(args.end(), words_.begin(), words_.end());
    AppendRespCommand(out_, args);
    words_.clear();
    items_ = 0;
  }

  std::string& out_;
  std::vector<std::string> head_;
  std::vector<std::string> words_;
  size_t items_ = 0;
};

Status AppendValue(const engine::Entry& e, std::string& out) {
  std::string key(e.key());
  switch (e.type()) {
    case engine::ValueType::kString:
      AppendRespCommand(out, {"SET", key, e.string_value()});
      return Status::Ok();
    case engine::ValueType::kList: {
      const auto* list = static_cast<const engine::ListValue*>(e.object());
      Batcher b(out, {"RPUSH", key});
      if (!list->empty()) {
        list->Visit(0, list->size() - 1, false, [&b](std::string_view v) {
          b.Add(v);
          return true;
        });
      }
      return Status::Ok();
    }
    case engine::ValueType::kSet: {
      Batcher b(out, {"SADD", key});
      static_cast<const engine::SetValue*>(e.object())->ForEach([&b](std::string_view m) {
        b.Add(m);
      });
      return Status::Ok();
    }
    case engine::ValueType::kHash: {
      Batcher b(out, {"HSET", key});
      static_cast<const engine::HashValue*>(e.object())
          ->ForEach([&b](std::string_view f, std::string_view v) { b.Add(f, v); });
      return Status::Ok();
    }
    case engine::ValueType::kZSet: {
      Batcher b(out, {"ZADD", key});
      static_cast<const engine::ZSetValue*>(e.object())
          ->ForEach([&b](double score, std::string_view m) {
            b.Add(FormatDouble(score), m);
            return true;
          });
      return Status::Ok();
    }
    default: {
      Result<std::string> payload = DumpPayload(e, true);
      if (!payload.ok()) {
        return payload.status();
      }
      AppendRespCommand(out, {"RESTORE", key, "0", *payload});
      return Status::Ok();
    }
  }
}

}  // namespace

Status WriteKeyspaceAsCommands(engine::Keyspace& keyspace, int64_t now_ms,
                               const std::vector<std::string>& functions,
                               const std::function<Status(std::string_view)>& sink) {
  std::string out;
  for (const std::string& code : functions) {
    AppendRespCommand(out, {"FUNCTION", "LOAD", code});
  }
  for (int i = 0; i < keyspace.db_count(); i++) {
    engine::Db& db = keyspace.db(i);
    if (db.size() == 0) {
      continue;
    }
    std::string index = std::to_string(i);
    AppendRespCommand(out, {"SELECT", index});
    Status status;
    db.table().ForEach([&](engine::Entry* e) {
      if (!status.ok() || (e->has_expire() && e->expire_at_ms() <= now_ms)) {
        return;
      }
      status = AppendValue(*e, out);
      if (status.ok() && e->has_expire()) {
        std::string at = std::to_string(e->expire_at_ms());
        AppendRespCommand(out, {"PEXPIREAT", e->key(), at});
      }
      if (status.ok() && out.size() >= kChunkBytes) {
        status = sink(out);
        out.clear();
      }
    });
    CAIRN_RETURN_IF_ERROR(status);
  }
  return out.empty() ? Status::Ok() : sink(out);
}

}  // namespace cairn::persistence
