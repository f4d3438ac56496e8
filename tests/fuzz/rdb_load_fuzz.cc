// Fuzzes the RDB loader and RESTORE's payload validation with arbitrary bytes: neither may crash,
// hang or leak; a file that loads must save and load again to the same number of keys, and a
// payload that validates must produce an entry. Invariants trap so the fuzzer reports them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dataplane/base/clock.h"
#include "dataplane/engine/keyspace.h"
#include "dataplane/persistence/dump_payload.h"
#include "dataplane/persistence/rdb_reader.h"
#include "dataplane/persistence/rdb_writer.h"

namespace {

using cairn::ManualClock;
using cairn::engine::Keyspace;
using cairn::engine::KeyspaceConfig;

size_t KeyCount(Keyspace& ks) {
  size_t n = 0;
  for (int i = 0; i < ks.db_count(); i++) {
    n += ks.db(i).size();
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ManualClock clock;
  Keyspace ks(KeyspaceConfig{}, &clock, [] { return size_t{0}; });
  ks.RefreshCommandTime();
  cairn::persistence::RdbLoadOptions options{
      .skip_expired = true, .now_ms = clock.NowMs(), .verify_checksum = false};
  cairn::Result<cairn::persistence::RdbLoadInfo> loaded =
      cairn::persistence::LoadRdb(input, ks, options);
  if (loaded.ok()) {
    cairn::persistence::RdbWriter writer(nullptr, true);
    if (!cairn::persistence::SaveRdb(ks, {}, writer).ok()) {
      __builtin_trap();
    }
    Keyspace again(KeyspaceConfig{}, &clock, [] { return size_t{0}; });
    again.RefreshCommandTime();
    cairn::Result<cairn::persistence::RdbLoadInfo> reloaded =
        cairn::persistence::LoadRdb(writer.buffer(), again, {.now_ms = clock.NowMs()});
    if (!reloaded.ok() || KeyCount(again) != KeyCount(ks)) {
      __builtin_trap();
    }
  }
  cairn::Result<cairn::engine::Entry*> restored =
      cairn::persistence::ParseDumpPayload(input, "key", false, 0);
  if (restored.ok()) {
    if (*restored == nullptr) {
      __builtin_trap();
    }
    cairn::engine::Entry::Free(*restored);
  }
  return 0;
}
