// StreamValue: appends across nodes, ranges both ways, deletes, trims, ids and group bookkeeping.
#include "dataplane/engine/types/stream.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cairn::engine {
namespace {

std::vector<StreamId> Ids(const StreamValue& s, bool reverse = false) {
  std::vector<StreamId> ids;
  s.Range({}, StreamId::Max(), reverse, [&](const StreamEntry& e) {
    ids.push_back(e.id);
    return true;
  });
  return ids;
}

TEST(StreamTest, AppendRangeAcrossNodes) {
  StreamValue s;
  StreamLimits limits{.node_max_bytes = 4096, .node_max_entries = 3};
  for (uint64_t i = 1; i <= 10; i++) {
    std::string v = std::to_string(i);
    if (i == 5) {
      s.Append({i, 7}, {"other", v, "x", "y"}, limits);
    } else {
      s.Append({i, 7}, {"a", v}, limits);
    }
  }
  EXPECT_EQ(s.length(), 10u);
  EXPECT_EQ(s.node_count(), 4u);
  std::vector<StreamId> ids = Ids(s);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_EQ(ids.front(), (StreamId{1, 7}));
  EXPECT_EQ(Ids(s, true).front(), (StreamId{10, 7}));
  std::optional<StreamEntry> e = s.Get({5, 7});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fields_values, (std::vector<std::string_view>{"other", "5", "x", "y"}));
  e = s.Get({6, 7});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->fields_values, (std::vector<std::string_view>{"a", "6"}));
  EXPECT_FALSE(s.Get({6, 8}));
}

TEST(StreamTest, DeleteTrimAndFirstId) {
  StreamValue s;
  StreamLimits limits{.node_max_bytes = 0, .node_max_entries = 2};
  for (uint64_t i = 1; i <= 6; i++) {
    s.Append({i, 0}, {"f", "v"}, limits);
  }
  EXPECT_TRUE(s.Delete({1, 0}));
  EXPECT_FALSE(s.Delete({1, 0}));
  EXPECT_EQ(s.first_id, (StreamId{2, 0}));
  EXPECT_EQ(s.max_deleted_id, (StreamId{1, 0}));
  EXPECT_TRUE(s.Delete({2, 0}));  // empties the first node
  EXPECT_EQ(s.node_count(), 2u);
  StreamTrim approx{.strategy = StreamTrim::Strategy::kMaxLen, .approx = true, .threshold = 1};
  EXPECT_EQ(s.Trim(approx), 2);  // whole node 3..4 only
  EXPECT_EQ(s.length(), 2u);
  StreamTrim exact{.strategy = StreamTrim::Strategy::kMinId, .min_id = {6, 0}};
  EXPECT_EQ(s.Trim(exact), 1);
  EXPECT_EQ(Ids(s), (std::vector<StreamId>{{6, 0}}));
  EXPECT_EQ(s.first_id, (StreamId{6, 0}));
}

TEST(StreamTest, ParseIds) {
  EXPECT_EQ(ParseStreamId("5", 9), (StreamId{5, 9}));
  EXPECT_EQ(ParseStreamId("5-3", 9), (StreamId{5, 3}));
  EXPECT_EQ(ParseStreamId("18446744073709551615-18446744073709551615", 0), StreamId::Max());
  EXPECT_FALSE(ParseStreamId("18446744073709551616", 0));
  EXPECT_FALSE(ParseStreamId("-1", 0));
  EXPECT_FALSE(ParseStreamId("1-", 0));
  EXPECT_FALSE(ParseStreamId("1-x", 0));
  EXPECT_FALSE(ParseStreamId("", 0));
  StreamId max = StreamId::Max();
  EXPECT_FALSE(max.Increment());
  StreamId id{3, UINT64_MAX};
  EXPECT_TRUE(id.Increment());
  EXPECT_EQ(id, (StreamId{4, 0}));
}

TEST(StreamTest, GroupsPelAndClone) {
  StreamValue s;
  s.Append({1, 0}, {"f", "v"}, {});
  s.Append({2, 0}, {"f", "v"}, {});
  StreamGroup* g = s.CreateGroup("g", {}, 0);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.CreateGroup("g", {}, 0), nullptr);
  bool created;
  StreamConsumer* alice = g->LookupOrCreateConsumer("alice", 10, &created);
  EXPECT_TRUE(created);
  StreamConsumer* bob = g->LookupOrCreateConsumer("bob", 10, &created);
  g->Assign({1, 0}, alice, 10, 1);
  g->Assign({2, 0}, alice, 10, 1);
  g->Assign({2, 0}, bob, 20, 2);  // reassigned
  EXPECT_EQ(alice->pel.size(), 1u);
  EXPECT_EQ(bob->pel.size(), 1u);
  auto copy = s.Clone();
  auto* cs = static_cast<StreamValue*>(copy.get());
  EXPECT_EQ(cs->FindGroup("g")->pel.size(), 2u);
  EXPECT_TRUE(g->Acknowledge({1, 0}));
  EXPECT_FALSE(g->Acknowledge({1, 0}));
  EXPECT_EQ(g->DeleteConsumer("bob"), 1u);
  EXPECT_TRUE(g->pel.empty());
  EXPECT_EQ(s.GroupLag(*g), 2);
}

}  // namespace
}  // namespace cairn::engine
