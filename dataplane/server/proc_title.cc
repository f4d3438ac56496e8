// Process title: Redis's setproctitle on Linux, written for cairn.
#include "dataplane/server/proc_title.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

extern char** environ;

namespace cairn::server {
namespace {

char* g_area = nullptr;  // argv[0], the start of the rewritable area
size_t g_area_size = 0;  // bytes up to the end of the last contiguous argv/environ string

// proc-title-template's variable names and the fields that hold their values.
constexpr std::pair<std::string_view, std::string ProcTitleVariables::*> kVariables[] = {
    {"title", &ProcTitleVariables::title},
    {"listen-addr", &ProcTitleVariables::listen_addr},
    {"server-mode", &ProcTitleVariables::server_mode},
    {"port", &ProcTitleVariables::port},
    {"tls-port", &ProcTitleVariables::tls_port},
    {"unixsocket", &ProcTitleVariables::unixsocket},
    {"config-file", &ProcTitleVariables::config_file},
};

}  // namespace

std::optional<std::string> ExpandProcTitleTemplate(std::string_view tmpl,
                                                   const ProcTitleVariables& vars) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] != '{') {
      out += tmpl[i++];
      continue;
    }
    if (i + 1 >= tmpl.size()) {
      return std::nullopt;  // a template ending in `{`
    }
    if (tmpl[i + 1] == '{') {
      out += '{';
      i += 2;
      continue;
    }
    size_t close = tmpl.find('}', i + 1);
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    std::string_view name = tmpl.substr(i + 1, close - i - 1);
    const std::string* value = nullptr;
    for (const auto& [known, member] : kVariables) {
      if (name == known) {
        value = &(vars.*member);
      }
    }
    if (value == nullptr) {
      return std::nullopt;
    }
    out += *value;
    i = close + 1;
  }
  size_t first = out.find_first_not_of(' ');
  if (first == std::string::npos) {
    return std::string();
  }
  return out.substr(first, out.find_last_not_of(' ') - first + 1);
}

void InitProcTitle(int argc, char** argv) {
  if (g_area != nullptr || argc < 1 || argv == nullptr || argv[0] == nullptr) {
    return;
  }
  char* end = argv[0] + std::strlen(argv[0]) + 1;
  for (int i = 1; i < argc && argv[i] == end; i++) {
    end = argv[i] + std::strlen(argv[i]) + 1;
  }
  // environ usually follows argv: take it too, after moving its strings to the heap.
  size_t env_count = 0;
  while (environ != nullptr && environ[env_count] != nullptr) {
    env_count++;
  }
  char** moved = static_cast<char**>(std::calloc(env_count + 1, sizeof(char*)));
  if (moved == nullptr) {
    return;
  }
  for (size_t i = 0; i < env_count; i++) {
    if (environ[i] == end) {
      end = environ[i] + std::strlen(environ[i]) + 1;
    }
    moved[i] = strdup(environ[i]);
  }
  environ = moved;
  g_area = argv[0];
  g_area_size = static_cast<size_t>(end - argv[0]);
}

void SetProcTitle(std::string_view title) {
  if (g_area == nullptr || g_area_size == 0) {
    return;
  }
  size_t n = std::min(title.size(), g_area_size - 1);
  std::memcpy(g_area, title.data(), n);
  std::memset(g_area + n, 0, g_area_size - n);
}

}  // namespace cairn::server
