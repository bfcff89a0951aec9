#include "sim/faults.h"

#include <cstring>

#include "acl/acl_functions.h"

namespace aclsim {

bool IsFaultableApi(std::string_view api) {
#define ACLSIM_FAULTABLE_NAME(ret, name, params, args) #name,
  static const char *const kNames[] = {ACL_REQUIRED_FUNCTIONS(ACLSIM_FAULTABLE_NAME)
                                           ACL_OPTIONAL_FUNCTIONS(ACLSIM_FAULTABLE_NAME)
                                               ACL_MODEL_FUNCTIONS(ACLSIM_FAULTABLE_NAME)};
#undef ACLSIM_FAULTABLE_NAME
  if (api == "aclGetRecentErrMsg") return false;
  for (const char *name : kNames) {
    if (api == name) return true;
  }
  return false;
}

Faults &Faults::Get() {
  static Faults *const faults = new Faults();  // never destroyed: checked until the last call
  return *faults;
}

int Faults::CheckSlow(const char *api) {
  std::lock_guard<std::mutex> lock(mu_);
  int code = 0;
  bool retired = false;
  for (Rule &rule : rules_) {
    if (rule.spec.api != api) continue;
    ++rule.calls;
    if (rule.spec.nth == 0 || rule.calls == rule.spec.nth) {
      if (code == 0) code = rule.spec.code;
      retired = retired || rule.spec.nth != 0;
    }
  }
  if (retired) {
    // A rule for the nth call has done its job; dropping it lets the fast path return to one load.
    std::erase_if(rules_, [](const Rule &r) { return r.spec.nth != 0 && r.calls >= r.spec.nth; });
    Publish();
  }
  return code;
}

void Faults::Add(const FaultSpec &spec) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(Rule{spec, 0, false});
  Publish();
}

void Faults::ReplaceOptionRules(const std::vector<FaultSpec> &specs) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(rules_, [](const Rule &r) { return r.from_option; });
  for (const FaultSpec &spec : specs) rules_.push_back(Rule{spec, 0, true});
  Publish();
}

void Faults::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  Publish();
}

void Faults::Publish() { active_.store(static_cast<int>(rules_.size()), std::memory_order_relaxed); }

}  // namespace aclsim
