// API-level hazard detection (strict mode), in the spirit of compute-sanitizer's racecheck: two
// operations that touch overlapping bytes of one allocation, at least one of them writing, must be
// ordered. Reported as 107000 with a message naming both operations and the allocation:
//
//   - a stream operation against an unfinished operation of another stream that no event orders
//     before it (aclrtRecordEvent on the other stream, aclrtStreamWaitEvent on this one, possibly
//     through a chain of streams);
//   - a synchronous host access (aclrtMemcpy, aclrtMemset, aclmdlExecute, …) against any unfinished
//     stream operation: the host must synchronize first. Work queued behind the host callback the
//     calling thread is running is ordered after it and does not count.
//
// Happens-before is tracked with vector clocks: each stream keeps, for every other stream, the
// highest queue position known to complete before the work submitted to it now. A record
// captures its stream's clock; a wait joins it. Synchronizes need no clock: the work they cover
// has finished, and finished work no longer holds its ranges (Task::ReleaseUses).
//
// Only unfinished operations are compared, so nothing is reported for work that actually
// completed before the conflicting call: no false positives, at the cost of missing races whose
// first party happened to finish early.
#ifndef ASCENDCL_SIM_HAZARDS_H_
#define ASCENDCL_SIM_HAZARDS_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/allocation.h"

namespace aclsim {

// For each stream id, the highest queue position on it that happens before some point. Immutable
// once shared; Join and With make new clocks.
class VectorClock {
 public:
  uint64_t Get(uint64_t stream) const;
  static std::shared_ptr<const VectorClock> Join(const std::shared_ptr<const VectorClock> &a,
                                                 const std::shared_ptr<const VectorClock> &b);
  static std::shared_ptr<const VectorClock> With(const std::shared_ptr<const VectorClock> &a, uint64_t stream,
                                                 uint64_t position);

 private:
  std::vector<std::pair<uint64_t, uint64_t>> entries_;  // sorted by stream id
};
using ClockRef = std::shared_ptr<const VectorClock>;

// A range of an allocation a stream task reads or writes.
struct MemoryAccess {
  std::shared_ptr<Allocation> allocation;
  uint64_t offset = 0;
  uint64_t size = 0;
  bool write = false;
};

// Whether hazards are checked (strict mode).
bool HazardChecksOn();

// Before a task of `api` with `accesses` is queued at `position` on `stream_id`, whose clock is
// `order`: 0, or 107000 with the message queued when it conflicts with an unordered unfinished
// operation of another stream.
aclError CheckStreamAccesses(const char *api, uint64_t stream_id, uint64_t position, const ClockRef &order,
                             const std::vector<MemoryAccess> &accesses);

// Before the calling thread reads (`write` false) or writes [offset, offset + size) of
// `allocation` synchronously: 0, or 107000 with the message queued when unfinished stream work
// uses an overlapping range in a conflicting way. `role` names the access ("the destination").
aclError CheckHostAccess(const std::shared_ptr<Allocation> &allocation, uint64_t offset, uint64_t size, bool write,
                         const char *role);

// Marks the calling thread as running the host callback at `position` of `stream_id`: work
// queued behind that callback cannot run before it returns, so the callback may touch its memory.
// A thread may run several at once (a binding that runs callbacks as asynchronous functions on
// one thread); each Enter is matched by one Exit of the same stream.
void EnterCallback(uint64_t stream_id, uint64_t position);
void ExitCallback(uint64_t stream_id);

// EnterCallback/ExitCallback for a scope (stream 0: nothing).
class CallbackScope {
 public:
  CallbackScope(uint64_t stream_id, uint64_t position) : stream_id_(stream_id) {
    if (stream_id_ != 0) EnterCallback(stream_id_, position);
  }
  ~CallbackScope() {
    if (stream_id_ != 0) ExitCallback(stream_id_);
  }
  CallbackScope(const CallbackScope &) = delete;
  CallbackScope &operator=(const CallbackScope &) = delete;

 private:
  uint64_t stream_id_;
};

}  // namespace aclsim

#endif  // ASCENDCL_SIM_HAZARDS_H_
