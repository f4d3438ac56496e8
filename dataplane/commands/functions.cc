// Function libraries: metadata line parsing, load / replace / delete with Redis 7.0's checks and
// texts, and whole-set replacement for snapshots and FUNCTION RESTORE.
#include "dataplane/commands/functions.h"

#include <algorithm>
#include <cctype>

#include "dataplane/base/strings.h"

namespace cairn::commands {
namespace {

constexpr char kBadLibraryName[] =
    "ERR Library names can only contain letters, numbers, or underscores(_) and must be at "
    "least one character long";

std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) {
      i++;
    }
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
      i++;
    }
    if (i > start) {
      out.emplace_back(s.substr(start, i - start));
    }
  }
  return out;
}

struct LibraryMetadata {
  std::string engine;
  std::string name;
  size_t length = 0;  // bytes of the "#!..." line, without its newline
};

// "#!<engine> name=<library>" (functionExtractLibMetaData).
Result<LibraryMetadata> ParseMetadata(std::string_view code) {
  if (!code.starts_with("#!")) {
    return Status::InvalidArgument("ERR Missing library metadata");
  }
  size_t end = code.find('\n');
  if (end == std::string_view::npos) {
    return Status::InvalidArgument("ERR Invalid library metadata");
  }
  LibraryMetadata md;
  md.length = end;
  std::vector<std::string> parts = SplitWhitespace(code.substr(0, end));
  if (parts.empty()) {
    return Status::InvalidArgument("ERR Invalid library metadata");
  }
  md.engine = parts[0].substr(2);
  bool have_name = false;
  for (size_t i = 1; i < parts.size(); i++) {
    if (parts[i].size() >= 5 &&
        EqualsIgnoreCase(std::string_view(parts[i]).substr(0, 5), "name=")) {
      if (have_name) {
        return Status::InvalidArgument(
            "ERR Invalid metadata value, name argument was given multiple times");
      }
      md.name = parts[i].substr(5);
      have_name = true;
      continue;
    }
    return Status::InvalidArgument("ERR Invalid metadata value given: " + parts[i]);
  }
  if (!have_name) {
    return Status::InvalidArgument("ERR Library name was not given");
  }
  return md;
}

bool ValidLibraryName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

}  // namespace

FunctionStore::FunctionStore(scripting::ScriptRandom& random)
    : random_(random),
      engine_(std::make_unique<scripting::LuaEngine>(scripting::kDefaultMaxLuaMemoryBytes,
                                                     /*for_functions=*/true, &random_)) {}

Result<std::string> FunctionStore::Load(std::string_view code, bool replace) {
  Result<LibraryMetadata> md = ParseMetadata(code);
  if (!md.ok()) {
    return md.status();
  }
  if (!EqualsIgnoreCase(md->engine, "lua")) {
    return Status::InvalidArgument("ERR Engine '" + md->engine + "' not found");
  }
  if (!ValidLibraryName(md->name)) {
    return Status::InvalidArgument(kBadLibraryName);
  }
  auto existing = libraries_.find(md->name);
  if (existing != libraries_.end() && !replace) {
    return Status::InvalidArgument("ERR Library '" + md->name + "' already exists");
  }
  std::vector<scripting::RegisteredFunction> registered;
  CAIRN_RETURN_IF_ERROR(engine_->LoadLibrary(code.substr(md->length), &registered));
  Status conflict = Status::Ok();
  if (registered.empty()) {
    conflict = Status::InvalidArgument("ERR No functions registered");
  }
  for (const auto& f : registered) {
    auto other = functions_.find(f.name);
    if (conflict.ok() && other != functions_.end() && other->second.library != md->name) {
      conflict = Status::InvalidArgument("ERR Function " + f.name + " already exists");
    }
  }
  if (!conflict.ok()) {
    engine_->AbortLibrary();
    return conflict;
  }
  if (existing != libraries_.end()) {
    for (const std::string& name : existing->second.functions) {
      functions_.erase(name);
    }
    engine_->DropLibrary(md->name);
  }
  engine_->CommitLibrary(md->name);
  FunctionLibrary& library = libraries_[md->name];
  library = FunctionLibrary{md->name, std::string(code), {}};
  for (const auto& f : registered) {
    library.functions.push_back(f.name);
    functions_[f.name] = FunctionInfo{f.name, md->name, f.description, f.has_description, f.flags};
  }
  std::sort(library.functions.begin(), library.functions.end());
  return md->name;
}

Status FunctionStore::Delete(std::string_view name) {
  auto it = libraries_.find(name);
  if (it == libraries_.end()) {
    return Status::NotFound("ERR Library not found");
  }
  for (const std::string& f : it->second.functions) {
    functions_.erase(f);
  }
  engine_->DropLibrary(it->second.name);
  libraries_.erase(it);
  return Status::Ok();
}

void FunctionStore::Flush() {
  libraries_.clear();
  functions_.clear();
  engine_ = std::make_unique<scripting::LuaEngine>(scripting::kDefaultMaxLuaMemoryBytes,
                                                   /*for_functions=*/true, &random_);
}

Status FunctionStore::ReplaceAll(const std::vector<std::string>& codes) {
  Flush();
  for (const std::string& code : codes) {
    Result<std::string> loaded = Load(code, false);
    if (!loaded.ok()) {
      Flush();
      return loaded.status();
    }
  }
  return Status::Ok();
}

Status FunctionStore::Restore(const std::vector<std::string>& codes, RestorePolicy policy) {
  if (policy == RestorePolicy::kAppend) {
    for (const std::string& code : codes) {
      Result<LibraryMetadata> md = ParseMetadata(code);
      if (md.ok() && libraries_.contains(md->name)) {
        return Status::InvalidArgument("ERR Library " + md->name + " already exists");
      }
    }
  }
  std::vector<std::string> before = Codes();
  if (policy == RestorePolicy::kFlush) {
    Flush();
  }
  for (const std::string& code : codes) {
    Result<std::string> loaded = Load(code, policy == RestorePolicy::kReplace);
    if (!loaded.ok()) {
      Status restored = ReplaceAll(before);  // loaded before: cannot fail
      (void)restored;
      return loaded.status();
    }
  }
  return Status::Ok();
}

const FunctionInfo* FunctionStore::Find(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

std::vector<std::string> FunctionStore::Codes() const {
  std::vector<std::string> out;
  for (const auto& [name, library] : libraries_) {
    out.push_back(library.code);
  }
  return out;
}

}  // namespace cairn::commands
