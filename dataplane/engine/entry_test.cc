#include "dataplane/engine/entry.h"

#include <malloc.h>

#include <string>

#include <gtest/gtest.h>

namespace cairn::engine {
namespace {

TEST(EntryTest, ShortStringIsOneSmallAllocation) {
  Entry* e = Entry::NewString("key:123456", std::string(64, 'v'), Encoding::kRaw, false, 0);
  EXPECT_EQ(e->key(), "key:123456");
  EXPECT_EQ(e->string_value(), std::string(64, 'v'));
  EXPECT_FALSE(e->external());
  EXPECT_LE(malloc_usable_size(e), 96u) << "a 10-byte key + 64-byte value fits a 96-byte class";
  Entry::Free(e);
}

TEST(EntryTest, ExpireFieldsAndClockRoundTrip) {
  Entry* e = Entry::NewString("k", "v", Encoding::kEmbStr, true, 1234567890123);
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(e->expire_at_ms(), 1234567890123);
  e->set_expire_slot(77);
  EXPECT_EQ(e->expire_slot(), 77u);
  e->set_clock(0xABCDEF);
  EXPECT_EQ(e->clock(), 0xABCDEFu);
  EXPECT_EQ(e->key(), "k");
  EXPECT_EQ(e->string_value(), "v");
  Entry* plain = Entry::Rebuild(e, false, 0, /*move_object=*/true);
  EXPECT_FALSE(plain->has_expire());
  EXPECT_EQ(plain->clock(), 0xABCDEFu);
  EXPECT_EQ(plain->string_value(), "v");
  Entry::FreeShell(e);
  Entry::Free(plain);
}

TEST(EntryTest, LongAndBinaryValuesGoExternal) {
  std::string big(5000, '\0');
  big[10] = 'x';
  Entry* e = Entry::NewString(std::string("k\0ey", 4), big, Encoding::kRaw, false, 0);
  EXPECT_TRUE(e->external());
  EXPECT_EQ(e->key(), std::string("k\0ey", 4));
  EXPECT_EQ(e->string_value(), big);
  Entry* renamed = Entry::Rekey(e, "other", true, 5);
  EXPECT_EQ(renamed->key(), "other");
  EXPECT_EQ(renamed->string_value(), big);
  Entry::FreeShell(e);
  Entry::Free(renamed);
}

TEST(RawStringTest, ResizeZeroFillsAndAppendGrows) {
  RawString s("ab");
  s.Resize(5);
  EXPECT_EQ(s.view(), std::string("ab\0\0\0", 5));
  s.Append("cd");
  EXPECT_EQ(s.size(), 7u);
  s.Resize(1);
  EXPECT_EQ(s.view(), "a");
}

}  // namespace
}  // namespace cairn::engine
