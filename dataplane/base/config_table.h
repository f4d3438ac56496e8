// ParameterTable: named, typed runtime parameters with validation, the mechanism behind
// redis.conf loading, command-line overrides, CONFIG GET/SET/RESETSTAT/REWRITE. The concrete
// parameters are registered by the binary (cairn-server's in dataplane/server/config.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dataplane/base/status.h"

namespace cairn {

struct Parameter {
  enum Flags : uint32_t {
    kNone = 0,
    kImmutable = 1 << 0,  // settable only at start-up (file or command line)
    kSensitive = 1 << 1,  // value never logged (passwords)
    kProtected = 1 << 2,  // CONFIG SET only when enable-protected-configs allows
    kHidden = 1 << 3,     // not matched by CONFIG GET globs, only by exact name
    kMultiArg = 1 << 4,   // takes several arguments in a config file line (save, user)
  };
  std::string name;
  std::vector<std::string> aliases;  // e.g. slaveof for replicaof
  uint32_t flags = kNone;
  // Current value as CONFIG GET prints it.
  std::function<std::string()> get;
  // Validates and applies a value. The error message is the reason Redis gives after
  // "CONFIG SET failed (possibly related to argument 'x') - " (e.g. "argument must be 'yes' or
  // 'no'"). `startup` is true while reading the config file or command line.
  std::function<Status(std::string_view value, bool startup)> set;
  // The default value as CONFIG GET prints it; when left empty, ParameterTable::Add records what
  // `get` returns at registration (parameters are registered before any config is applied).
  std::string default_value;
  // Optional: runs once after every value of one CONFIG SET is stored, for parameters that take
  // effect together (tls-cert-file with tls-key-file rebuild one TLS context). Parameters that
  // share the step share this pointer, and it runs once per CONFIG SET. A failure rolls the
  // whole CONFIG SET back and its message becomes the reason; it must leave the state it
  // governs as it was. Not run at start-up (the owner applies the loaded values itself).
  std::shared_ptr<std::function<Status()>> apply;
};

class ParameterTable {
 public:
  // REQUIRES: no parameter or alias with the same name.
  void Add(Parameter parameter);
  // Case-insensitive lookup by name or alias; nullptr when unknown.
  const Parameter* Find(std::string_view name) const;
  // (name, value) pairs of every parameter whose name matches one of the glob patterns, in the
  // order Redis's CONFIG GET returns them (each parameter once; aliases match too and print
  // under the alias).
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string>& patterns) const;
  // Applies one value; InvalidArgument with the reason on failure.
  Status Set(std::string_view name, std::string_view value, bool startup);
  // Every parameter, in registration order.
  const std::vector<std::unique_ptr<Parameter>>& all() const { return parameters_; }

 private:
  std::vector<std::unique_ptr<Parameter>> parameters_;
  std::map<std::string, Parameter*, std::less<>> by_name_;  // lower-case names and aliases
};

// Parses a redis.conf memory value: "1gb" (1024^3), "1g" (1000^3), "100mb", "64k", plain bytes.
std::optional<int64_t> ParseMemory(std::string_view text);
// Parses yes/no (case-insensitive).
std::optional<bool> ParseYesNo(std::string_view text);

// Ready-made setters for the common value kinds. Each stores into `*target` on success; the
// error texts are Redis 7.0's.
std::function<Status(std::string_view, bool)> BoolSetter(bool* target);
std::function<Status(std::string_view, bool)> IntSetter(int64_t* target, int64_t min, int64_t max);
std::function<Status(std::string_view, bool)> MemorySetter(int64_t* target, int64_t min,
                                                           int64_t max);
std::function<Status(std::string_view, bool)> StringSetter(std::string* target);
std::function<Status(std::string_view, bool)> EnumSetter(std::string* target,
                                                         std::vector<std::string> allowed);

}  // namespace cairn
