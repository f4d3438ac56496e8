// FunctionStore: the function libraries (Redis 7.0 functions.c): their code, the functions each
// registered and the interpreter they live in. FUNCTION LOAD / DELETE / FLUSH / RESTORE change
// it, FCALL looks functions up, snapshots and replicas carry the library codes. Owned by
// Scripting; command thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dataplane/base/status.h"
#include "dataplane/scripting/lua_engine.h"

namespace cairn::commands {

struct FunctionInfo {
  std::string name;
  std::string library;
  std::string description;
  bool has_description = false;
  uint32_t flags = 0;  // scripting::ScriptFlag
};

struct FunctionLibrary {
  std::string name;
  std::string code;                    // as loaded, shebang included
  std::vector<std::string> functions;  // names, sorted
};

// FUNCTION RESTORE policies.
enum class RestorePolicy { kAppend, kReplace, kFlush };

class FunctionStore {
 public:
  // `random` feeds math.random in the libraries' interpreter; it must outlive the store.
  explicit FunctionStore(scripting::ScriptRandom& random);

  // FUNCTION LOAD [REPLACE]: returns the library name. Errors are the reply texts ("ERR Missing
  // library metadata", "ERR Library 'x' already exists", "ERR Function f already exists",
  // "ERR No functions registered", "ERR Error registering functions: ...", ...). A failed load
  // leaves the store as it was.
  Result<std::string> Load(std::string_view code, bool replace);
  // FUNCTION DELETE: "ERR Library not found".
  Status Delete(std::string_view library);
  // FUNCTION FLUSH: drops every library and starts a fresh interpreter.
  void Flush();
  // The whole set replaced by `codes` (RDB load, FUNCTION RESTORE FLUSH). Errors as Load's; the
  // store is then empty.
  Status ReplaceAll(const std::vector<std::string>& codes);
  // FUNCTION RESTORE with a policy; on error nothing changes.
  Status Restore(const std::vector<std::string>& codes, RestorePolicy policy);

  const FunctionInfo* Find(std::string_view name) const;
  const std::map<std::string, FunctionLibrary, std::less<>>& libraries() const {
    return libraries_;
  }
  size_t function_count() const { return functions_.size(); }
  // Every library's code, by library name (snapshots, FUNCTION DUMP).
  std::vector<std::string> Codes() const;
  scripting::LuaEngine& engine() { return *engine_; }

 private:
  scripting::ScriptRandom& random_;
  std::unique_ptr<scripting::LuaEngine> engine_;
  std::map<std::string, FunctionLibrary, std::less<>> libraries_;
  std::map<std::string, FunctionInfo, std::less<>> functions_;
};

}  // namespace cairn::commands
