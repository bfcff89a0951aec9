#include "device_pool.h"

#include <bit>

#include "acl/acl_errors.h"
#include "acl_call.h"

namespace ascendcl {

size_t DevicePool::ClassOf(size_t bytes) {
  if (bytes > kLargestClass) return 0;
  return std::bit_ceil(bytes < kSmallestClass ? kSmallestClass : bytes);
}

int DevicePool::IndexOf(size_t size_class) {
  return std::countr_zero(size_class) - std::countr_zero(kSmallestClass);
}

int DevicePool::Acquire(size_t bytes, void **ptr) {
  *ptr = nullptr;
  size_t size_class = ClassOf(bytes);
  if (size_class != 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<void *> &list = free_[IndexOf(size_class)];
    if (!list.empty()) {
      *ptr = list.back();
      list.pop_back();
      held_.fetch_sub(size_class, std::memory_order_relaxed);
      return 0;
    }
  }
  size_t size = size_class != 0 ? size_class : (bytes == 0 ? 1 : bytes);
  int rc = Acl().aclrtMalloc(ptr, size, ACL_MEM_MALLOC_HUGE_FIRST);
  if (rc == acl::ACL_ERROR_RT_MEMORY_ALLOCATION && Trim() != 0) {
    DiscardRecentMessages();
    rc = Acl().aclrtMalloc(ptr, size, ACL_MEM_MALLOC_HUGE_FIRST);
  }
  if (rc != 0) *ptr = nullptr;
  return rc;
}

void DevicePool::Release(void *ptr, size_t bytes) {
  if (ptr == nullptr) return;
  size_t size_class = ClassOf(bytes);
  if (size_class != 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_.load(std::memory_order_relaxed) + size_class <= kMaxHeld) {
      free_[IndexOf(size_class)].push_back(ptr);
      held_.fetch_add(size_class, std::memory_order_relaxed);
      return;
    }
  }
  Acl().aclrtFree(ptr);
}

size_t DevicePool::Trim() {
  std::vector<void *> blocks;
  size_t freed = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (size_t i = 0; i < free_.size(); ++i) {
      freed += free_[i].size() * (kSmallestClass << i);
      blocks.insert(blocks.end(), free_[i].begin(), free_[i].end());
      free_[i].clear();
    }
    held_.fetch_sub(freed, std::memory_order_relaxed);
  }
  for (void *block : blocks) Acl().aclrtFree(block);
  return freed;
}

}  // namespace ascendcl
