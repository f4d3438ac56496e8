// The ACL's parameters (aclfile, acllog-max-len, acl-pubsub-default, `user` lines) and the
// loading of the aclfile at start-up, with redis-server's fatal-error texts.
#include "dataplane/base/strings.h"
#include "dataplane/protocol/resp_parser.h"
#include "dataplane/server/server.h"

namespace cairn::server {

void Server::RegisterAclParameters() {
  ParameterTable& t = parameters_;
  t.Add({.name = "aclfile",
         .flags = Parameter::kImmutable,
         .get = [this] { return acl_->aclfile; },
         .set = StringSetter(&acl_->aclfile)});
  t.Add({.name = "acllog-max-len",
         .get = [this] { return std::to_string(acl_->log_max_len); },
         .set = IntSetter(&acl_->log_max_len, 0, INT64_MAX)});
  t.Add({.name = "acl-pubsub-default",
         .get =
             [this] {
               return std::string(acl_->pubsub_default_all() ? "allchannels" : "resetchannels");
             },
         .set = [this](std::string_view v, bool) -> Status {
           std::string value = AsciiLower(v);
           if (value != "allchannels" && value != "resetchannels") {
             return Status::InvalidArgument(
                 "argument(s) must be one of the following: "
                 "allchannels, resetchannels");
           }
           acl_->set_pubsub_default_all(value == "allchannels");
           return Status::Ok();
         }});
  // `user <name> <rule> ...` lines of the config file (not a CONFIG SET parameter). CONFIG
  // REWRITE writes every user as such a line (none with an aclfile), as Redis does: the value is
  // the users' rules joined by "\nuser ".
  t.Add({.name = "user",
         .flags = Parameter::kImmutable | Parameter::kMultiArg | Parameter::kHidden |
                  Parameter::kSensitive,
         .get =
             [this] {
               std::string out;
               for (const std::string& line :
                    acl_->aclfile.empty() ? acl_->List() : std::vector<std::string>{}) {
                 out += (out.empty() ? "" : "\nuser ") + line.substr(5);  // without "user "
               }
               return out;
             },
         .set = [this](std::string_view v, bool startup) -> Status {
           std::vector<std::string> args;
           if (!startup || !protocol::SplitInlineArgs(v, &args)) {
             return Status::InvalidArgument("Bad directive or wrong number of arguments");
           }
           return acl_->AddConfigUser(args);
         }});
}

Status Server::LoadAcl() {
  if (acl_->aclfile.empty()) {
    return Status::Ok();
  }
  if (acl_->has_config_users()) {
    return Status::InvalidArgument(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file "
        "path is invalid. This setup is very likely to lead to configuration errors and security "
        "holes, please define either an ACL file or declare users directly in your redis.conf, "
        "but not both.");
  }
  Result<security::AclUserMap> users = acl_->ReadFile();
  if (!users.ok()) {
    return Status::InvalidArgument("Aborting Redis startup because of ACL errors: " +
                                   std::string(users.status().message()));
  }
  acl_->ReplaceUsers(std::move(*users));
  return Status::Ok();
}

}  // namespace cairn::server
