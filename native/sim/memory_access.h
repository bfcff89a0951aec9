// What a pointer passed to a copy or memset is (device memory, pinned host memory, other host
// memory), checked against the allocation that holds it, plus the stream tasks that copy and fill.
//
// Every check that names an allocation lives here, so the synchronous and asynchronous forms of
// each operation (and later the model layer's dataset buffers) report the same problems the same
// way.
#ifndef ASCENDCL_SIM_MEMORY_ACCESS_H_
#define ASCENDCL_SIM_MEMORY_ACCESS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "acl/acl_abi.h"
#include "sim/allocation.h"
#include "sim/scheduler.h"

namespace aclsim {

enum class Place { kDevice, kPinnedHost, kHost };

// A checked range [ptr, ptr + count).
struct Span {
  Place place = Place::kHost;
  std::shared_ptr<Allocation> allocation;  // null for host memory not from aclrtMallocHost
  uint64_t offset = 0;                     // within the allocation
  uint8_t *data = nullptr;                 // host address of the first byte
  int device = -1;                         // device of device memory

  bool on_device() const { return place == Place::kDevice; }
  // "device allocation #3 (...)", "pinned host allocation #4 (...)", "host memory (not from aclrtMallocHost)"
  std::string Describe() const;
};

// Classifies `ptr` and checks [ptr, ptr + count). A pointer in a device's address range must lie in
// a live allocation (else 107000: use after free / past the end / never allocated) and the range
// must fit it: against the requested size when `strict`, against the consumed (padded) size
// otherwise. `role` ("destination", "source") names the pointer in messages.
aclError ResolveSpan(const void *ptr, uint64_t count, const char *role, bool strict, Span *out);

// The copy direction checks of aclrtMemcpy(Async): in strict mode `kind` must agree with where
// the pointers are (107000 otherwise); a device-to-device copy between two devices is 207000;
// with `async`, a copy between two host pointers is 207000.
aclError CheckCopyDirection(aclrtMemcpyKind kind, const Span &dst, const Span &src, bool strict, bool async);

// aclrtMemset's rule: device memory or pinned host memory; other host memory only when not
// strict.
aclError CheckMemsetTarget(const Span &dst, bool strict);

class CopyTask : public Task {
 public:
  CopyTask(const Span &dst, const Span &src, uint64_t count);
  TaskResult Run(TaskContext &ctx) override;

 private:
  uint8_t *dst_;
  const uint8_t *src_;
  uint64_t count_;
};

class MemsetTask : public Task {
 public:
  MemsetTask(const Span &dst, uint8_t value, uint64_t count);
  TaskResult Run(TaskContext &ctx) override;

 private:
  uint8_t *dst_;
  uint8_t value_;
  uint64_t count_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_MEMORY_ACCESS_H_
