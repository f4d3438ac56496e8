// cairn-server: a Redis 7 compatible cache node. `cairn-server [FILE] [--name value ...]`.
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "dataplane/base/logging.h"
#include "dataplane/server/proc_title.h"
#include "dataplane/server/server.h"

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "-v") == 0 || std::strcmp(argv[1], "--version") == 0)) {
    std::printf("cairn-server v=0.1.0 redis-compat=7.0.15 bits=64\n");
    return 0;
  }
  if (argc == 2 && (std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)) {
    std::printf(
        "Usage: cairn-server [/path/to/redis.conf] [options]\n"
        "       cairn-server - (read config from stdin)\n"
        "       cairn-server -v or --version\n"
        "       cairn-server -h or --help\n\n"
        "Examples:\n"
        "       cairn-server (run with default config)\n"
        "       cairn-server /etc/cairn/6379.conf\n"
        "       cairn-server --port 7777\n"
        "       cairn-server /etc/mycairn.conf --loglevel verbose\n");
    return 0;
  }
  cairn::server::Server server;
  cairn::Status configured = server.Configure(argc, argv);
  if (!configured.ok()) {
    std::fprintf(stderr, "%s\n", std::string(configured.message()).c_str());
    return 1;
  }
  cairn::server::InitProcTitle(argc, argv);  // argv is not read after Configure
  std::string level = server.config().loglevel == "nothing" ? "error" : server.config().loglevel;
  cairn::Status logging = cairn::SetUpLogging("cairn-server", level, server.config().logfile);
  if (!logging.ok()) {
    std::fprintf(stderr, "Can't open the log file: %s\n", std::string(logging.message()).c_str());
    return 1;
  }
  cairn::Status started = server.Start();
  if (started.code() == cairn::StatusCode::kAborted) {
    spdlog::info("cairn-server is now ready to exit, bye bye...");  // SHUTDOWN during the load
    return 0;
  }
  if (!started.ok()) {
    spdlog::error("{}", started.message());
    std::fprintf(stderr, "%s\n", std::string(started.message()).c_str());
    return 1;
  }
  server.Run();
  return 0;
}
