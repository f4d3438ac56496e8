// Stream RDB codec: round trips (entries, deletions, several nodes, groups, PEL, consumers) and
// refusal of every truncation of a payload.
#include <string>

#include <gtest/gtest.h>

#include "dataplane/engine/types/stream.h"
#include "dataplane/persistence/dump_payload.h"

namespace cairn::persistence {
namespace {

using engine::StreamId;
using engine::StreamValue;

engine::Entry* MakeStream() {
  auto* s = new StreamValue();
  engine::StreamLimits limits{.node_max_bytes = 4096, .node_max_entries = 3};
  for (uint64_t i = 1; i <= 8; i++) {
    std::string v = std::to_string(i * 1000);
    s->Append({i, i}, {"field", v, "text", i % 2 ? "odd" : "-12"}, limits);
  }
  s->Delete({2, 2});
  s->Delete({4, 4});
  engine::StreamGroup* g = s->CreateGroup("g", {5, 5}, 4);
  bool created;
  engine::StreamConsumer* alice = g->LookupOrCreateConsumer("alice", 1000, &created);
  g->LookupOrCreateConsumer("bob", 2000, &created);
  g->Assign({3, 3}, alice, 1500, 2);
  g->Assign({5, 5}, alice, 1600, 1);
  return engine::Entry::NewObject("k", engine::ValueType::kStream, engine::Encoding::kStream, s,
                                  false, 0);
}

TEST(StreamCodecTest, RoundTripsEntriesNodesAndGroups) {
  engine::Entry* e = MakeStream();
  Result<std::string> payload = DumpPayload(*e, false);
  ASSERT_TRUE(payload.ok());
  Result<engine::Entry*> back = ParseDumpPayload(*payload, "k", false, 0);
  ASSERT_TRUE(back.ok()) << back.status().message();
  const auto* a = static_cast<const StreamValue*>(e->object());
  const auto* b = static_cast<const StreamValue*>((*back)->object());
  EXPECT_EQ(b->length(), 6u);
  EXPECT_EQ(b->node_count(), a->node_count());
  EXPECT_EQ(b->max_deleted_id, (StreamId{4, 4}));
  EXPECT_EQ(b->entries_added, 8u);
  std::optional<engine::StreamEntry> third = b->Get({3, 3});
  ASSERT_TRUE(third);
  EXPECT_EQ(third->fields_values, (std::vector<std::string_view>{"field", "3000", "text", "odd"}));
  ASSERT_EQ(b->groups().size(), 1u);
  const engine::StreamGroup& g = *b->groups().begin()->second;
  EXPECT_EQ(g.entries_read, 4);
  ASSERT_EQ(g.pel.size(), 2u);
  EXPECT_EQ(g.pel.begin()->second.delivery_count, 2u);
  EXPECT_EQ(g.pel.begin()->second.consumer->name(), "alice");
  EXPECT_EQ(g.consumers.size(), 2u);
  EXPECT_EQ(*DumpPayload(**back, false), *payload);
  engine::Entry::Free(*back);
  engine::Entry::Free(e);
}

TEST(StreamCodecTest, EveryTruncationIsRefused) {
  engine::Entry* e = MakeStream();
  std::string payload = *DumpPayload(*e, false);
  engine::Entry::Free(e);
  for (size_t n = 0; n + 1 < payload.size(); n++) {
    EXPECT_FALSE(ParseDumpPayload(payload.substr(0, n), "k", false, 0).ok()) << n;
  }
}

}  // namespace
}  // namespace cairn::persistence
