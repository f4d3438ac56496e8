// AgentHub over real TLS sockets on 127.0.0.1 with gRPC clients built here.
#include "controlplane/agents/agent_hub.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "controlplane/agents/test_util.h"

namespace cairn::controlplane {
namespace {

using agent::v1::AgentMessage;
using agent::v1::ControlMessage;

class AgentHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = std::move(*CertificateAuthority::LoadOrCreate(testing::MakeTempDir()));
    AgentHubCallbacks callbacks;
    callbacks.consume_join_token = [this](std::string_view id, std::string_view secret,
                                          std::string_view) {
      std::lock_guard<std::mutex> lock(mu_);
      if (id == "good" && secret == "s3cret" && !used_.count(std::string(id))) {
        used_.insert(std::string(id));
        return Status::Ok();
      }
      return Status::NotFound("unknown or used join token");
    };
    callbacks.on_heartbeat = [this](const std::string& host, const agent::v1::Heartbeat& hb) {
      Record("heartbeat " + host + " " + hb.facts().zone());
    };
    callbacks.on_task_result = [this](const std::string& host, const agent::v1::TaskResult& r) {
      Record("result " + host + " " + r.task_id());
    };
    callbacks.on_disconnect = [this](const std::string& host) { Record("disconnect " + host); };
    hub_ = std::make_unique<AgentHub>(*ca_, callbacks);
    auto addr = hub_->Start("127.0.0.1:0", {"127.0.0.1"});
    ASSERT_TRUE(addr.ok()) << addr.status().ToString();
    addr_ = *addr;
  }

  void Record(const std::string& event) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(event);
    cv_.notify_all();
  }

  bool WaitForEvent(const std::string& event) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::find(events_.begin(), events_.end(), event) != events_.end();
    });
  }

  grpc::Status Join(const std::string& token, const std::string& host, std::string* cert,
                    std::string* key) {
    grpc::SslCredentialsOptions opts;
    opts.pem_root_certs = ca_->ca_certificate_pem();
    auto stub =
        agent::v1::AgentService::NewStub(grpc::CreateChannel(addr_, grpc::SslCredentials(opts)));
    testing::CsrAndKey csr = testing::MakeCsr(host);
    agent::v1::JoinRequest request;
    request.set_join_token(token);
    request.set_host_id(host);
    request.set_csr_pem(csr.csr_pem);
    agent::v1::JoinResponse response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::Status status = stub->Join(&ctx, request, &response);
    if (cert != nullptr) {
      *cert = response.certificate_pem();
      *key = csr.key_pem;
    }
    return status;
  }

  std::unique_ptr<agent::v1::AgentService::Stub> SessionStub(const std::string& cert,
                                                             const std::string& key) {
    grpc::SslCredentialsOptions opts;
    opts.pem_root_certs = ca_->ca_certificate_pem();
    opts.pem_cert_chain = cert;
    opts.pem_private_key = key;
    return agent::v1::AgentService::NewStub(grpc::CreateChannel(addr_, grpc::SslCredentials(opts)));
  }

  std::string GoodToken() {
    return FormatJoinToken(ca_->ca_fingerprint_sha256_hex(), "good", "s3cret");
  }

  std::unique_ptr<CertificateAuthority> ca_;
  std::unique_ptr<AgentHub> hub_;
  std::string addr_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
  std::set<std::string> used_;
};

TEST_F(AgentHubTest, JoinIssuesClientCertificateOnceAndRefusesBadTokens) {
  std::string cert, key;
  ASSERT_TRUE(Join(GoodToken(), "host-a", &cert, &key).ok());
  EXPECT_EQ(testing::VerifyChain(cert, ca_->ca_certificate_pem(), X509_PURPOSE_SSL_CLIENT), "ok");
  // One-time: the same token again is refused.
  EXPECT_EQ(Join(GoodToken(), "host-b", nullptr, nullptr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  std::string wrong_ca = FormatJoinToken(std::string(64, '0'), "good", "s3cret");
  EXPECT_EQ(Join(wrong_ca, "host-b", nullptr, nullptr).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Join("garbage", "host-b", nullptr, nullptr).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Join(GoodToken(), "Bad Host!", nullptr, nullptr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AgentHubTest, SessionWithoutClientCertificateIsRefused) {
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = ca_->ca_certificate_pem();
  auto stub =
      agent::v1::AgentService::NewStub(grpc::CreateChannel(addr_, grpc::SslCredentials(opts)));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub->Session(&ctx);
  ControlMessage in;
  EXPECT_FALSE(stream->Read(&in));
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(hub_->IsConnected("host-a"));
}

TEST_F(AgentHubTest, TasksAreDeliveredAndResentAfterReconnectUntilAnswered) {
  std::string cert, key;
  ASSERT_TRUE(Join(GoodToken(), "host-a", &cert, &key).ok());
  agent::v1::Task task;
  task.set_id("t1");
  task.mutable_stop_node()->set_node_id("demo-0001-001");
  hub_->SendTask("host-a", task);  // queued while the host is offline
  auto stub = SessionStub(cert, key);
  for (int round = 0; round < 2; ++round) {
    grpc::ClientContext ctx;
    auto stream = stub->Session(&ctx);
    AgentMessage hello;
    hello.mutable_heartbeat()->mutable_facts()->set_host_id("host-a");
    hello.mutable_heartbeat()->mutable_facts()->set_zone("z" + std::to_string(round));
    ASSERT_TRUE(stream->Write(hello));
    ControlMessage in;
    ASSERT_TRUE(stream->Read(&in));
    EXPECT_EQ(in.accepted().heartbeat_interval_ms(), 1000);
    ASSERT_TRUE(stream->Read(&in));
    EXPECT_EQ(in.task().id(), "t1");
    EXPECT_TRUE(WaitForEvent("heartbeat host-a z" + std::to_string(round)));
    EXPECT_TRUE(hub_->IsConnected("host-a"));
    if (round == 1) {
      AgentMessage result;
      result.mutable_task_result()->set_task_id("t1");
      result.mutable_task_result()->set_ok(true);
      ASSERT_TRUE(stream->Write(result));
      EXPECT_TRUE(WaitForEvent("result host-a t1"));
    }
    // Break the stream without answering (round 0): the task stays queued.
    ctx.TryCancel();
    stream->Finish();
    EXPECT_TRUE(WaitForEvent("disconnect host-a"));
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
  }
  EXPECT_EQ(hub_->PendingTaskCountForTest("host-a"), 0u);
}

TEST_F(AgentHubTest, HeartbeatClaimingAnotherHostIsRefused) {
  std::string cert, key;
  ASSERT_TRUE(Join(GoodToken(), "host-a", &cert, &key).ok());
  auto stub = SessionStub(cert, key);
  grpc::ClientContext ctx;
  auto stream = stub->Session(&ctx);
  AgentMessage hello;
  hello.mutable_heartbeat()->mutable_facts()->set_host_id("host-b");
  ASSERT_TRUE(stream->Write(hello));
  ControlMessage in;
  while (stream->Read(&in)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace cairn::controlplane
