// agent_hub_harness: an AgentHub driven over stdin/stdout, for integration tests of cairn-agent
// against the real hub (tests/integration/test_agent.py). Not shipped.
//
//   agent_hub_harness --ca-dir DIR [--addr 127.0.0.1:0]
// stdout, one JSON object per line:
//   {"event":"listening","addr":"127.0.0.1:PORT","ca_fingerprint":"<hex>"}
//   {"event":"heartbeat","host":"host-a","heartbeat":{...}}   (protobuf JSON mapping)
//   {"event":"task_result","host":"host-a","result":{...}}
//   {"event":"disconnect","host":"host-a"}
// stdin, one command per line:
//   token ID SECRET          accept this join token once
//   task HOST {json Task}    AgentHub::SendTask
//   issue CN SAN[,SAN...]    IssueServerCertificate ->
//   {"event":"keypair","cert":..,"key":..,"ca":..} quit
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <google/protobuf/util/json_util.h>

#include "controlplane/agents/agent_hub.h"
#include "dataplane/base/logging.h"

namespace {

std::mutex g_out_mu;  // harness-only: serialises stdout lines from gRPC threads

void Emit(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_out_mu);
  std::cout << line << std::endl;
}

std::string Json(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;  // PEM text and ids have no quotes or backslashes
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"AgentHub test harness"};
  std::string ca_dir, addr = "127.0.0.1:0";
  app.add_option("--ca-dir", ca_dir)->required();
  app.add_option("--addr", addr);
  CLI11_PARSE(app, argc, argv);

  // Logs go to stderr; stdout carries only the JSON lines.
  (void)cairn::SetUpLogging("agent_hub_harness", "info", "");
  auto ca = cairn::controlplane::CertificateAuthority::LoadOrCreate(ca_dir);
  if (!ca.ok()) {
    std::cerr << ca.status().ToString() << "\n";
    return 1;
  }
  std::mutex tokens_mu;
  std::set<std::pair<std::string, std::string>> tokens;
  cairn::controlplane::AgentHubCallbacks callbacks;
  callbacks.consume_join_token = [&](std::string_view id, std::string_view secret,
                                     std::string_view) {
    std::lock_guard<std::mutex> lock(tokens_mu);
    if (tokens.erase({std::string(id), std::string(secret)}) == 0) {
      return cairn::Status::NotFound("join token unknown or already used");
    }
    return cairn::Status::Ok();
  };
  callbacks.on_heartbeat = [](const std::string& host, const cairn::agent::v1::Heartbeat& hb) {
    Emit("{\"event\":\"heartbeat\",\"host\":" + Quote(host) + ",\"heartbeat\":" + Json(hb) + "}");
  };
  callbacks.on_task_result = [](const std::string& host, const cairn::agent::v1::TaskResult& r) {
    Emit("{\"event\":\"task_result\",\"host\":" + Quote(host) + ",\"result\":" + Json(r) + "}");
  };
  callbacks.on_disconnect = [](const std::string& host) {
    Emit("{\"event\":\"disconnect\",\"host\":" + Quote(host) + "}");
  };
  cairn::controlplane::AgentHub hub(**ca, callbacks);
  auto bound = hub.Start(addr, {"127.0.0.1", "localhost"});
  if (!bound.ok()) {
    std::cerr << bound.status().ToString() << "\n";
    return 1;
  }
  Emit("{\"event\":\"listening\",\"addr\":" + Quote(*bound) +
       ",\"ca_fingerprint\":" + Quote((*ca)->ca_fingerprint_sha256_hex()) + "}");
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    if (cmd == "token") {
      std::string id, secret;
      in >> id >> secret;
      std::lock_guard<std::mutex> lock(tokens_mu);
      tokens.insert({id, secret});
    } else if (cmd == "task") {
      std::string host, json;
      in >> host;
      std::getline(in, json);
      cairn::agent::v1::Task task;
      if (!google::protobuf::util::JsonStringToMessage(json, &task).ok()) {
        std::cerr << "bad task JSON\n";
        continue;
      }
      hub.SendTask(host, task);
    } else if (cmd == "issue") {
      std::string cn, san_list, san;
      in >> cn >> san_list;
      std::vector<std::string> sans;
      std::istringstream split(san_list);
      while (std::getline(split, san, ',')) {
        sans.push_back(san);
      }
      auto pair = (*ca)->IssueServerCertificate(cn, sans);
      if (!pair.ok()) {
        std::cerr << pair.status().ToString() << "\n";
        continue;
      }
      Emit("{\"event\":\"keypair\",\"cert\":" + Quote(pair->certificate_pem) + ",\"key\":" +
           Quote(pair->private_key_pem) + ",\"ca\":" + Quote((*ca)->ca_certificate_pem()) + "}");
    } else if (cmd == "quit") {
      break;
    }
  }
  hub.Stop();
  return 0;
}
