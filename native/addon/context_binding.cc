#include "context_binding.h"

#include <atomic>
#include <cstdint>

#include "acl_call.h"

namespace ascendcl {
namespace {

std::atomic<uint64_t> g_epoch{1};

struct ThreadBinding {
  aclrtContext context = nullptr;
  uint64_t epoch = 0;
};
thread_local ThreadBinding t_binding;

}  // namespace

int BindContext(aclrtContext context) {
  uint64_t epoch = g_epoch.load(std::memory_order_acquire);
  if (t_binding.context == context && t_binding.epoch == epoch) return 0;
  int rc = Acl().aclrtSetCurrentContext(context);
  if (rc == 0) {
    t_binding.context = context;
    t_binding.epoch = epoch;
  } else {
    t_binding = ThreadBinding{};
  }
  return rc;
}

void InvalidateContextBindings() { g_epoch.fetch_add(1, std::memory_order_acq_rel); }

}  // namespace ascendcl
