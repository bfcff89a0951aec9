// A runtime that lacks one optional symbol, as an older CANN does: every function of the list
// is forwarded to the simulator (build/Release/libascendcl_sim.so, the parent directory of this
// library) except aclrtStreamWaitEventWithTimeout, which this library does not export.
// The loader tests open it with backend 'npu' and check that only the feature needing that
// function reports "not available in this runtime".
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "acl/acl_functions.h"

namespace {

void *Simulator() {
  static void *handle = [] {
    Dl_info info{};
    dladdr(reinterpret_cast<const void *>(&Simulator), &info);
    std::string self = info.dli_fname != nullptr ? info.dli_fname : "";
    std::string path = self.substr(0, self.rfind('/') + 1) + "../libascendcl_sim.so";
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      std::fprintf(stderr, "partial_acl: cannot load %s: %s\n", path.c_str(), dlerror());
      std::abort();
    }
    return h;
  }();
  return handle;
}

}  // namespace

// The omitted function is defined under another name, so the real name is not exported.
#define aclrtStreamWaitEventWithTimeout aclrtStreamWaitEventWithTimeout_omitted_in_this_runtime

#define PARTIAL_FORWARD(ret, name, params, args)                                          \
  extern "C" __attribute__((visibility("default"))) ret name params {                     \
    static auto target = reinterpret_cast<ret(*) params>(dlsym(Simulator(), #name));      \
    return target args;                                                                   \
  }
ACL_REQUIRED_FUNCTIONS(PARTIAL_FORWARD)
ACL_MODEL_FUNCTIONS(PARTIAL_FORWARD)
ACL_OPTIONAL_FUNCTIONS(PARTIAL_FORWARD)
#undef PARTIAL_FORWARD
