// Memory (reference §4.6, §5.3; api.md error table): device and pinned host allocation, copies
// and memset, synchronous and stream-ordered.
#include <cstring>

#include "sim/api_common.h"
#include "sim/hazards.h"
#include "sim/memory_access.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

bool Strict() { return State::Get().strict.load(std::memory_order_relaxed); }

// The device whose address range holds `address`, or -1.
int DeviceOfAddress(uint64_t address) {
  State &state = State::Get();
  const int devices = state.device_count.load(std::memory_order_acquire);
  for (int d = 0; d < devices; ++d) {
    if (state.device(d).memory.Contains(address)) return d;
  }
  return -1;
}

// Checks shared by aclrtMemcpy and aclrtMemcpyAsync, in the runtime's order. Sets *done when the
// call succeeds without copying (count 0, dst == src).
aclError CheckCopyArguments(void *dst, size_t destMax, const void *src, size_t count, const aclrtMemcpyKind &kind,
                            std::shared_ptr<Context> *context, bool *done) {
  *done = false;
  if (count == 0) {
    *done = true;  // before any other check, even of NULL pointers (reference §5.3)
    return ACL_SUCCESS;
  }
  if (dst == nullptr || src == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "dst and src must not be NULL");
  if (int raw = RawEnum(kind); raw < ACL_MEMCPY_HOST_TO_HOST || raw > ACL_MEMCPY_HOST_TO_BUF_TO_DEVICE) {
    return Fail(acl::ACL_ERROR_INVALID_PARAM, "kind %d is not a supported aclrtMemcpyKind (0..5)", raw);
  }
  if (destMax == 0 || count > destMax) {
    return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "count %zu exceeds destMax %zu", count, destMax);
  }
  if (aclError code = RequireContext(context); code != 0) return code;
  if (dst == src) *done = true;  // nothing to copy
  return ACL_SUCCESS;
}

aclError CheckMemsetArguments(void *devPtr, size_t maxCount, size_t count, std::shared_ptr<Context> *context,
                              bool *done) {
  *done = false;
  if (count == 0) {
    *done = true;
    return ACL_SUCCESS;
  }
  if (devPtr == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
  if (count > maxCount) return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "count %zu exceeds maxCount %zu", count, maxCount);
  return RequireContext(context);
}

aclError SubmitTo(Stream &stream, std::unique_ptr<Task> task) {
  aclError hazard = ACL_SUCCESS;
  if (!stream.Submit(std::move(task), &hazard)) {
    if (hazard != ACL_SUCCESS) return hazard;
    return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "stream %s is being destroyed", Hex(stream.id()).c_str());
  }
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy) {
  return Guarded("aclrtMalloc", kStandard, [&]() -> aclError {
    if (devPtr == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    if (size == 0) return Fail(acl::ACL_ERROR_INVALID_PARAM, "size must be positive (aclrtMalloc of 0 bytes)");
    std::shared_ptr<Context> context;
    if (aclError code = RequireContext(&context); code != 0) return code;
    // Every policy is accepted: page size choices have no observable effect in the simulator.
    std::shared_ptr<Allocation> allocation;
    aclError code = State::Get().device(context->device()).memory.Allocate(size, MakeOrigin("aclrtMalloc"), &allocation);
    if (code != 0) return code;
    *devPtr = reinterpret_cast<void *>(allocation->address());
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtFree(void *devPtr) {
  // Needs no context (the runtime falls back to the default driver), and works on a lost device.
  return Guarded("aclrtFree", kStandard, [&]() -> aclError {
    if (devPtr == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "devPtr must not be NULL");
    const uint64_t address = reinterpret_cast<uint64_t>(devPtr);
    int device = DeviceOfAddress(address);
    if (device < 0) {
      if (std::shared_ptr<Allocation> pinned = State::Get().host_memory.Find(address)) {
        return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "%s is pinned host memory (%s): free it with aclrtFreeHost",
                    Hex(address).c_str(), pinned->Describe().c_str());
      }
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "%s is not device memory: it was never allocated by aclrtMalloc",
                  Hex(address).c_str());
    }
    return State::Get().device(device).memory.Free(address, Strict());
  });
}

ACLSIM_EXPORT aclError aclrtMallocHost(void **hostPtr, size_t size) {
  return Guarded("aclrtMallocHost", kStandard, [&]() -> aclError {
    if (hostPtr == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "hostPtr must not be NULL");
    if (size == 0) return Fail(acl::ACL_ERROR_INVALID_PARAM, "size must be positive (aclrtMallocHost of 0 bytes)");
    std::shared_ptr<Context> context;
    if (aclError code = RequireContext(&context); code != 0) return code;
    std::shared_ptr<Allocation> allocation;
    aclError code =
        State::Get().host_memory.Allocate(size, context->device(), MakeOrigin("aclrtMallocHost"), &allocation);
    if (code != 0) return code;
    *hostPtr = allocation->data();
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtFreeHost(void *hostPtr) {
  return Guarded("aclrtFreeHost", kStandard, [&]() -> aclError {
    if (hostPtr == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "hostPtr must not be NULL");
    const uint64_t address = reinterpret_cast<uint64_t>(hostPtr);
    if (int device = DeviceOfAddress(address); device >= 0) {
      return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "%s is device %d memory: free it with aclrtFree",
                  Hex(address).c_str(), device);
    }
    return State::Get().host_memory.Free(address, Strict());
  });
}

ACLSIM_EXPORT aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind) {
  return Guarded("aclrtMemcpy", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> context;
    bool done = false;
    if (aclError code = CheckCopyArguments(dst, destMax, src, count, kind, &context, &done); code != 0 || done) {
      return code;
    }
    const bool strict = Strict();
    Span to, from;
    if (aclError code = ResolveSpan(dst, count, "destination", strict, &to); code != 0) return code;
    if (aclError code = ResolveSpan(src, count, "source", strict, &from); code != 0) return code;
    if (aclError code = CheckCopyDirection(kind, to, from, strict, /*async=*/false); code != 0) return code;
    if (aclError code = CheckHostAccess(to.allocation, to.offset, count, /*write=*/true, "the destination"); code != 0) {
      return code;
    }
    if (aclError code = CheckHostAccess(from.allocation, from.offset, count, /*write=*/false, "the source"); code != 0) {
      return code;
    }
    // Immediate, like the hardware: no implicit wait for queued stream work. The spans hold the
    // allocations, so the copy runs outside every lock even if another thread frees them now.
    std::memmove(to.data, from.data, count);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtMemcpyAsync(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind,
                                        aclrtStream stream) {
  return Guarded("aclrtMemcpyAsync", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> context;
    bool done = false;
    if (aclError code = CheckCopyArguments(dst, destMax, src, count, kind, &context, &done); code != 0) return code;
    std::shared_ptr<Stream> target;
    if (done) return ACL_SUCCESS;
    if (aclError code = ResolveStream(stream, *context, &target); code != 0) return code;
    const bool strict = Strict();
    Span to, from;
    if (aclError code = ResolveSpan(dst, count, "destination", strict, &to); code != 0) return code;
    if (aclError code = ResolveSpan(src, count, "source", strict, &from); code != 0) return code;
    if (aclError code = CheckCopyDirection(kind, to, from, strict, /*async=*/true); code != 0) return code;
    // Pageable host memory is still copied asynchronously (the hardware would block until the copy
    // is done): the caller must keep it alive until the stream passes this point.
    return SubmitTo(*target, std::make_unique<CopyTask>(to, from, count));
  });
}

ACLSIM_EXPORT aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count) {
  return Guarded("aclrtMemset", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> context;
    bool done = false;
    if (aclError code = CheckMemsetArguments(devPtr, maxCount, count, &context, &done); code != 0 || done) return code;
    const bool strict = Strict();
    Span to;
    if (aclError code = ResolveSpan(devPtr, count, "destination", strict, &to); code != 0) return code;
    if (aclError code = CheckMemsetTarget(to, strict); code != 0) return code;
    if (aclError code = CheckHostAccess(to.allocation, to.offset, count, /*write=*/true, "the destination"); code != 0) {
      return code;
    }
    std::memset(to.data, static_cast<uint8_t>(value), count);  // a byte fill, as drvMemsetD8
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtMemsetAsync(void *devPtr, size_t maxCount, int32_t value, size_t count,
                                        aclrtStream stream) {
  return Guarded("aclrtMemsetAsync", kStandard, [&]() -> aclError {
    std::shared_ptr<Context> context;
    bool done = false;
    if (aclError code = CheckMemsetArguments(devPtr, maxCount, count, &context, &done); code != 0 || done) return code;
    std::shared_ptr<Stream> target;
    if (aclError code = ResolveStream(stream, *context, &target); code != 0) return code;
    const bool strict = Strict();
    Span to;
    if (aclError code = ResolveSpan(devPtr, count, "destination", strict, &to); code != 0) return code;
    if (aclError code = CheckMemsetTarget(to, strict); code != 0) return code;
    return SubmitTo(*target, std::make_unique<MemsetTask>(to, static_cast<uint8_t>(value), count));
  });
}
