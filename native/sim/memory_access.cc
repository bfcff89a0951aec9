#include "sim/memory_access.h"

#include <cstring>

#include "acl/acl_errors.h"
#include "sim/api_common.h"
#include "sim/util.h"

namespace aclsim {
namespace {

const char *KindName(aclrtMemcpyKind kind) {
  switch (kind) {
    case ACL_MEMCPY_HOST_TO_HOST: return "ACL_MEMCPY_HOST_TO_HOST";
    case ACL_MEMCPY_HOST_TO_DEVICE: return "ACL_MEMCPY_HOST_TO_DEVICE";
    case ACL_MEMCPY_DEVICE_TO_HOST: return "ACL_MEMCPY_DEVICE_TO_HOST";
    case ACL_MEMCPY_DEVICE_TO_DEVICE: return "ACL_MEMCPY_DEVICE_TO_DEVICE";
    case ACL_MEMCPY_DEFAULT: return "ACL_MEMCPY_DEFAULT";
    case ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE: return "ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE";
    default: return "an unknown kind";
  }
}

aclError CheckBounds(const void *ptr, uint64_t count, const char *role, bool strict, const Allocation &a,
                     uint64_t offset) {
  uint64_t limit = strict ? a.size() : a.consumed();
  if (offset <= limit && count <= limit - offset) return ACL_SUCCESS;
  return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
              "%s range [%s, +%llu) is out of bounds: offset %llu + count %llu exceeds the %llu %sbytes of %s%s %s", role,
              Hex(reinterpret_cast<uint64_t>(ptr)).c_str(), static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(offset), static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(limit), strict ? "" : "padded ",
              a.is_device() ? "device " : "pinned host ", a.Describe().c_str(),
              strict ? "(strict mode checks the requested size)" : "");
}

}  // namespace

std::string Span::Describe() const {
  switch (place) {
    case Place::kDevice: return "device " + allocation->Describe();
    case Place::kPinnedHost: return "pinned host " + allocation->Describe();
    case Place::kHost: break;
  }
  return "host memory " + Hex(reinterpret_cast<uint64_t>(data)) + " (not from aclrtMalloc or aclrtMallocHost)";
}

aclError ResolveSpan(const void *ptr, uint64_t count, const char *role, bool strict, Span *out) {
  State &state = State::Get();
  const uint64_t address = reinterpret_cast<uint64_t>(ptr);
  const int devices = state.device_count.load(std::memory_order_acquire);
  for (int d = 0; d < devices; ++d) {
    DeviceMemory &memory = state.device(d).memory;
    if (!memory.Contains(address)) continue;
    std::string why;
    std::shared_ptr<Allocation> allocation = memory.Find(address, &why);
    if (allocation == nullptr) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "%s pointer %s is device %d memory outside every live allocation: %s",
                  role, Hex(address).c_str(), d, why.c_str());
    }
    if (aclError code = CheckDeviceUsable(d); code != 0) return code;
    uint64_t offset = address - allocation->address();
    if (aclError code = CheckBounds(ptr, count, role, strict, *allocation, offset); code != 0) return code;
    out->place = Place::kDevice;
    out->device = d;
    out->offset = offset;
    out->data = allocation->data() + offset;
    out->allocation = std::move(allocation);
    return ACL_SUCCESS;
  }
  if (std::shared_ptr<Allocation> pinned = state.host_memory.Find(address)) {
    uint64_t offset = address - pinned->address();
    if (aclError code = CheckBounds(ptr, count, role, strict, *pinned, offset); code != 0) return code;
    out->place = Place::kPinnedHost;
    out->offset = offset;
    out->data = const_cast<uint8_t *>(static_cast<const uint8_t *>(ptr));
    out->allocation = std::move(pinned);
    return ACL_SUCCESS;
  }
  out->place = Place::kHost;
  out->data = const_cast<uint8_t *>(static_cast<const uint8_t *>(ptr));
  return ACL_SUCCESS;
}

aclError CheckCopyDirection(aclrtMemcpyKind kind, const Span &dst, const Span &src, bool strict, bool async) {
  if (strict && kind != ACL_MEMCPY_DEFAULT) {
    bool src_device = false, dst_device = false;
    switch (kind) {
      case ACL_MEMCPY_HOST_TO_HOST: break;
      case ACL_MEMCPY_HOST_TO_DEVICE:
      case ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE: dst_device = true; break;
      case ACL_MEMCPY_DEVICE_TO_HOST: src_device = true; break;
      default: src_device = dst_device = true; break;  // ACL_MEMCPY_DEVICE_TO_DEVICE
    }
    if (src.on_device() != src_device || dst.on_device() != dst_device) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
                  "kind %s (%d) does not match the pointers: the destination is %s and the source is %s (strict mode; "
                  "ACL_MEMCPY_DEFAULT lets the runtime infer the direction)",
                  KindName(kind), static_cast<int>(kind), dst.Describe().c_str(), src.Describe().c_str());
    }
  }
  if (dst.on_device() && src.on_device() && dst.device != src.device) {
    return Fail(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "copies between devices are not supported (destination on device %d, source on device %d)", dst.device,
                src.device);
  }
  if (async && !dst.on_device() && !src.on_device()) {
    return Fail(acl::ACL_ERROR_RT_FEATURE_NOT_SUPPORT,
                "asynchronous host-to-host copies are not supported: use aclrtMemcpy or memcpy (destination %s, source "
                "%s)",
                dst.Describe().c_str(), src.Describe().c_str());
  }
  return ACL_SUCCESS;
}

aclError CheckMemsetTarget(const Span &dst, bool strict) {
  if (!strict || dst.place != Place::kHost) return ACL_SUCCESS;
  return Fail(acl::ACL_ERROR_RT_PARAM_INVALID,
              "%s is neither device memory nor pinned host memory from aclrtMallocHost (strict mode)",
              dst.Describe().c_str());
}

CopyTask::CopyTask(const Span &dst, const Span &src, uint64_t count)
    : Task("aclrtMemcpyAsync"), dst_(dst.data), src_(src.data), count_(count) {
  if (dst.allocation != nullptr) Use(dst.allocation, dst.offset, count, /*write=*/true);
  if (src.allocation != nullptr) Use(src.allocation, src.offset, count, /*write=*/false);
}

TaskResult CopyTask::Run(TaskContext &) {
  std::memmove(dst_, src_, count_);  // memmove: source and destination may overlap in one allocation
  return TaskResult::kDone;
}

MemsetTask::MemsetTask(const Span &dst, uint8_t value, uint64_t count)
    : Task("aclrtMemsetAsync"), dst_(dst.data), value_(value), count_(count) {
  if (dst.allocation != nullptr) Use(dst.allocation, dst.offset, count, /*write=*/true);
}

TaskResult MemsetTask::Run(TaskContext &) {
  std::memset(dst_, value_, count_);
  return TaskResult::kDone;
}

}  // namespace aclsim
