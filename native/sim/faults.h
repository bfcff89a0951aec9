// Fault injection: make the nth call of a named exported function fail with a chosen code.
//
// Checked at the top of every faultable export (see export.h). With no rule registered the check
// is one relaxed atomic load, so fault support costs nothing on hot paths.
#ifndef ASCENDCL_SIM_FAULTS_H_
#define ASCENDCL_SIM_FAULTS_H_

#include <atomic>
#include <mutex>
#include <string_view>
#include <vector>

#include "sim/config.h"

namespace aclsim {

// True for every exported AscendCL function except aclGetRecentErrMsg (aclsim* are never faultable).
bool IsFaultableApi(std::string_view api);

class Faults {
 public:
  // The process-wide rules (never destroyed).
  static Faults &Get();

  // The code the current call of `api` must fail with, or 0. Counts the call for every rule
  // naming `api`.
  int Check(const char *api) {
    if (active_.load(std::memory_order_relaxed) == 0) return 0;
    return CheckSlow(api);
  }

  // A rule from aclsimInjectFault: counts calls from now.
  void Add(const FaultSpec &spec);
  // Replaces the rules that came from the `faults` option with `specs` (counting from now).
  void ReplaceOptionRules(const std::vector<FaultSpec> &specs);
  void Clear();

 private:
  struct Rule {
    FaultSpec spec;
    uint64_t calls = 0;
    bool from_option = false;
  };
  int CheckSlow(const char *api);
  void Publish();  // mu_ held

  std::atomic<int> active_{0};
  std::mutex mu_;
  std::vector<Rule> rules_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_FAULTS_H_
