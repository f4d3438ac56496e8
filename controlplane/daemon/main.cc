// cairn-controlplane: the API, state, reconciler and agent sessions in one process. With --dev
// it also runs a local fleet of agents (ARCHITECTURE.md §1, dev mode).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "controlplane/daemon/control_plane.h"
#include "controlplane/daemon/dev_fleet.h"
#include "dataplane/base/files.h"
#include "dataplane/base/logging.h"

namespace {

using cairn::controlplane::ControlPlane;
using cairn::controlplane::ControlPlaneOptions;
using cairn::controlplane::DevFleet;
using cairn::controlplane::DevFleetOptions;

struct Flags {
  ControlPlaneOptions cp;
  std::string data_dir;
  bool dev = false;
  DevFleetOptions fleet;
  std::string log_level = "info";
};

void ParseFlags(CLI::App& app, Flags& f) {
  app.set_config("--config", "", "Read flags from a TOML/INI file (flag = value)");
  app.add_option("--data-dir", f.data_dir,
                 "State directory: SQLite database, CA, tokens (default ./.cairn-dev with "
                 "--dev, else /var/lib/cairn)");
  app.add_option("--http-addr", f.cp.http_addr, "REST API (and console) address host:port")
      ->capture_default_str();
  app.add_option("--grpc-addr", f.cp.grpc_addr, "gRPC API address host:port")
      ->capture_default_str();
  app.add_option("--agent-addr", f.cp.agent_addr, "Agent sessions (mTLS) address host:port")
      ->capture_default_str();
  app.add_option("--discovery-addr", f.cp.discovery_addr,
                 "Sentinel-compatible discovery endpoint (RESP) host:port")
      ->capture_default_str();
  app.add_option("--tls-cert", f.cp.tls_cert_file,
                 "PEM certificate: serve the gRPC and REST APIs over TLS")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", f.cp.tls_key_file, "PEM private key for --tls-cert")
      ->check(CLI::ExistingFile);
  app.add_option("--backup-dir", f.cp.backup_dir,
                 "Backup store directory for snapshots, shared with every agent's --backup-dir "
                 "(default <data-dir>/backups)");
  app.add_option("--snapshot-tick-ms", f.cp.snapshot_tick_ms,
                 "How often snapshot timeouts and automatic snapshots are checked, ms")
      ->capture_default_str()
      ->check(CLI::Range(10, 600000));
  app.add_flag("--dev", f.dev, "Also run a local fleet of agents (hosts host-a.. in zones a..)");
  app.add_option("--dev-hosts", f.fleet.hosts, "Number of dev hosts")
      ->capture_default_str()
      ->check(CLI::Range(1, 26));
  app.add_option("--dev-node-port-base", f.fleet.node_port_base,
                 "First node port of host-a; each host gets 100 ports")
      ->capture_default_str()
      ->check(CLI::Range(1024, 65000));
  app.add_option("--log-level", f.log_level, "trace, debug, info, warn or error")
      ->capture_default_str();
}

void PrintDevBanner(const Flags& f, const ControlPlane& cp, const DevFleet& fleet) {
  std::filesystem::path token_file = std::filesystem::path(f.data_dir) / "admin-token";
  std::string hosts;
  for (const std::string& h : fleet.host_ids()) {
    hosts += (hosts.empty() ? "" : ", ") + h;
  }
  std::cout << "cairn-controlplane is running in dev mode (data in " << f.data_dir << ")\n"
            << "  REST API:  http://" << cp.addresses().http_addr << "/v1\n"
            << "  gRPC API:  " << cp.addresses().grpc_addr << "\n"
            << "  agents:    " << cp.addresses().agent_addr << " (" << hosts << ")\n"
            << "  discovery: " << cp.addresses().discovery_addr
            << " (Sentinel: SENTINEL get-master-addr-by-name CLUSTER)\n"
            << "  token:     " << token_file.string() << "\n\n"
            << "  export CAIRN_ADDR=" << cp.addresses().grpc_addr << "\n"
            << "  export CAIRN_TOKEN=$(cat " << token_file.string() << ")\n"
            << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cairn-controlplane: the Cairn API, reconciler and agent sessions"};
  Flags f;
  ParseFlags(app, f);
  CLI11_PARSE(app, argc, argv);
  if (f.data_dir.empty()) {
    f.data_dir = f.dev ? ".cairn-dev" : "/var/lib/cairn";
  }
  f.cp.data_dir = f.data_dir;
  if (cairn::Status s = cairn::SetUpLogging("cairn-controlplane", f.log_level, ""); !s.ok()) {
    std::cerr << "cairn-controlplane: --log-level: " << s.message() << "\n";
    return 2;
  }
  // Every thread inherits the blocked set; the main thread takes SIGINT/SIGTERM with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  ControlPlane cp(f.cp);
  if (cairn::Status s = cp.Start(); !s.ok()) {
    std::cerr << "cairn-controlplane: " << s.message() << "\n";
    return 1;
  }
  std::filesystem::path dir(f.data_dir);
  if (cp.admin_token()) {
    std::cout << "Admin token (shown once, stored hashed): " << *cp.admin_token() << std::endl;
    if (f.dev && !cairn::WriteFileAtomic(dir / "admin-token", *cp.admin_token() + "\n").ok()) {
      std::cerr << "cairn-controlplane: cannot write " << (dir / "admin-token") << "\n";
    }
  }
  nlohmann::json bound = {{"http_addr", cp.addresses().http_addr},
                          {"grpc_addr", cp.addresses().grpc_addr},
                          {"agent_addr", cp.addresses().agent_addr},
                          {"discovery_addr", cp.addresses().discovery_addr},
                          {"pid", getpid()}};
  if (cairn::Status s = cairn::WriteFileAtomic(dir / "controlplane.json", bound.dump(2) + "\n");
      !s.ok()) {
    std::cerr << "cairn-controlplane: " << s.message() << "\n";
  }

  f.fleet.agent_binary =
      std::filesystem::read_symlink("/proc/self/exe").parent_path() / "cairn-agent";
  DevFleet fleet(f.fleet);
  if (f.dev) {
    if (cairn::Status s = fleet.Start(cp, dir); !s.ok()) {
      std::cerr << "cairn-controlplane: " << s.message() << "\n";
      fleet.Stop();
      return 1;
    }
    PrintDevBanner(f, cp, fleet);
  } else {
    spdlog::info("serving: REST http://{} gRPC {} agents {}", cp.addresses().http_addr,
                 cp.addresses().grpc_addr, cp.addresses().agent_addr);
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("signal {}: stopping", sig);
  fleet.Stop();
  cp.Stop();
  return 0;
}
