// Checks and lookups shared by the exported functions: current context, handles, device state,
// timeouts, pending asynchronous errors. Each failing helper has already queued its message; the
// caller just returns the code.
#ifndef ASCENDCL_SIM_API_COMMON_H_
#define ASCENDCL_SIM_API_COMMON_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

#include "acl/acl_abi.h"
#include "acl/acl_errors.h"
#include "sim/export.h"
#include "sim/recent_errors.h"
#include "sim/state.h"

namespace aclsim {

// The raw value of an enum parameter. A C caller may pass any int where the prototype has an
// enum (say, a memcpy kind of 42), and loading such a value as the C++ enum type is undefined
// behaviour; copying its bytes is not. Validate the raw value, then use the enum.
template <typename E>
int RawEnum(const E &value) {
  static_assert(std::is_enum_v<E> && sizeof(E) == sizeof(int));
  int raw;
  std::memcpy(&raw, &value, sizeof(raw));
  return raw;
}

// The calling thread's current context: 107002 when it has none (or it was destroyed), the lost
// code when its device is lost.
aclError RequireContext(std::shared_ptr<Context> *out);

// The lost code (with the reason) when `device` is lost, else 0.
aclError CheckDeviceUsable(int device);

// `handle` as a stream: NULL → 100000, unknown/destroyed/wrong kind → 107017, lost device → code
// (unless `check_lost` is false: release calls still work on a lost device).
aclError FindStream(aclrtStream handle, std::shared_ptr<Stream> *out, bool check_lost = true);
// NULL means the default stream of `context`; otherwise as FindStream, and the stream must be on
// the context's device (107003).
aclError ResolveStream(aclrtStream handle, const Context &context, std::shared_ptr<Stream> *out);
aclError FindEvent(aclrtEvent handle, std::shared_ptr<Event> *out, bool check_lost = true);
aclError FindContext(aclrtContext handle, std::shared_ptr<Context> *out);

// Timeouts of the *WithTimeout waits: -1 = forever, > 0 = milliseconds, anything else fails with
// `code` (107000 for runtime waits).
aclError CheckTimeout(int32_t timeout_ms, aclError code);
// Absolute steady-clock deadline for a checked timeout; -1 for "forever".
int64_t DeadlineFor(int32_t timeout_ms);

// A pending asynchronous error of `stream`: cleared, its message queued on the calling thread,
// its code returned. 0 when none.
aclError TakeStreamError(Stream &stream);

// Waits for the work submitted to `streams` before the call, then collects their pending errors.
// 0, the first pending error, or `timeout_code` when the deadline passes.
aclError WaitStreams(const std::vector<std::shared_ptr<Stream>> &streams, int64_t deadline_ns, aclError timeout_code,
                     int32_t timeout_ms);

}  // namespace aclsim

#endif  // ASCENDCL_SIM_API_COMMON_H_
