// The process title `ps` shows, as Redis's set-proc-title / proc-title-template: the memory of
// argv (and of environ, when it follows argv) is reused for the new command line.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cairn::server {

// Values of proc-title-template's variables (Redis 7.0's names): {title} (argv[0] as invoked),
// {listen-addr} (first bind address and port, "*:6379"), {server-mode} (empty: no cluster or
// sentinel mode here), {port}, {tls-port}, {unixsocket} and {config-file} (absolute path, or
// empty).
struct ProcTitleVariables {
  std::string title;
  std::string listen_addr;
  std::string server_mode;
  std::string port;
  std::string tls_port;
  std::string unixsocket;
  std::string config_file;
};

// Expands `tmpl` as Redis's sdstemplate: `{{` is a literal `{`, `{name}` a variable. Returns the
// result with spaces trimmed at both ends, or nullopt when the template is malformed or names an
// unknown variable.
std::optional<std::string> ExpandProcTitleTemplate(std::string_view tmpl,
                                                   const ProcTitleVariables& vars);

// Records the argv/environ area and moves environ to the heap so the area can be rewritten.
// Call once from main, before any thread starts; argv's strings must not be read afterwards.
void InitProcTitle(int argc, char** argv);
// Writes `title` over the area (truncated to its size); a no-op before InitProcTitle.
void SetProcTitle(std::string_view title);

}  // namespace cairn::server
