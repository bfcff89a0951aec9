#include "sim/api_common.h"

#include <unistd.h>

#include <new>
#include <string_view>

#include "sim/faults.h"
#include "sim/util.h"

namespace aclsim {

aclError EnterApi(const char *api, unsigned flags) {
  if (flags != kNoChecks && State::Get().forked.load(std::memory_order_relaxed)) {
    return Fail(acl::ACL_ERROR_UNINITIALIZE,
                "this process (pid %ld) was forked from pid %ld after aclInit, and AscendCL does not survive fork(): "
                "the parent's runtime threads and devices stay in the parent. Initialise AscendCL in a new process "
                "(fork and exec, or fork before aclInit)",
                static_cast<long>(getpid()), State::Get().init_pid);
  }
  if ((flags & kFaultable) != 0) {
    if (int code = Faults::Get().Check(api); code != 0) {
      const char *name = acl::ErrorName(code);
      QueueMessage(Sprintf("injected fault %d (%s)", code, name != nullptr ? name : "unknown"));
      if (acl::IsDeviceFatal(code)) {
        // The device this thread works on is gone until it is reset, as after a real device fault.
        if (std::shared_ptr<Context> context = CurrentContext()) MarkDeviceLost(context->device(), code, api);
      }
      return code;
    }
  }
  if ((flags & kNeedsInit) != 0 && !State::Get().initialized.load(std::memory_order_acquire)) {
    return Fail(acl::ACL_ERROR_UNINITIALIZE, "aclInit has not been called");
  }
  return ACL_SUCCESS;
}

aclError CurrentExceptionToError(const char *api) noexcept {
  try {
    try {
      throw;
    } catch (const std::bad_alloc &) {
      bool runtime_api = std::string_view(api).rfind("aclrt", 0) == 0;
      aclError code = runtime_api ? acl::ACL_ERROR_RT_MEMORY_ALLOCATION : acl::ACL_ERROR_INVALID_PARAM;
      return Fail(code, "the host ran out of memory");
    } catch (const std::exception &e) {
      return Fail(acl::ACL_ERROR_RT_INTERNAL_ERROR, "internal simulator error: %s", e.what());
    } catch (...) {
      return Fail(acl::ACL_ERROR_RT_INTERNAL_ERROR, "internal simulator error (unknown exception)");
    }
  } catch (...) {
    // Even queuing the message failed (out of memory): the code alone must do.
    return acl::ACL_ERROR_RT_INTERNAL_ERROR;
  }
}

aclError CheckDeviceUsable(int device) {
  Device &d = State::Get().device(device);
  int code = d.lost_code.load(std::memory_order_acquire);
  if (code == 0) return ACL_SUCCESS;
  std::string reason;
  {
    std::lock_guard<std::mutex> lock(d.mu);
    reason = d.lost_reason;
  }
  QueueMessage(reason);
  return code;
}

aclError RequireContext(std::shared_ptr<Context> *out) {
  std::shared_ptr<Context> context = CurrentContext();
  if (context == nullptr) {
    return Fail(acl::ACL_ERROR_RT_CONTEXT_NULL,
                "the calling thread %llu has no current context: call aclrtSetDevice or aclrtSetCurrentContext on "
                "this thread first (contexts are per thread)",
                static_cast<unsigned long long>(CurrentThreadId()));
  }
  if (aclError code = CheckDeviceUsable(context->device()); code != 0) return code;
  *out = std::move(context);
  return ACL_SUCCESS;
}

namespace {

const char *Article(const char *noun) { return noun[0] == 'e' ? "an" : "a"; }

aclError UnknownHandle(const char *expected, uint64_t id) {
  const char *kind = HandleKindName(id);
  if (kind != nullptr && std::string_view(kind) != expected) {
    return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "%s is %s %s handle, not %s %s", Hex(id).c_str(), Article(kind), kind,
                Article(expected), expected);
  }
  if (kind == nullptr) {
    return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "%s is not %s %s handle of this simulator", Hex(id).c_str(),
                Article(expected), expected);
  }
  return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "%s %s was destroyed (or belongs to an earlier aclInit)", expected,
              Hex(id).c_str());
}

}  // namespace

aclError FindStream(aclrtStream handle, std::shared_ptr<Stream> *out, bool check_lost) {
  if (handle == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "stream is NULL");
  uint64_t id = HandleId(handle);
  std::shared_ptr<Stream> stream = HandleIs(id, HandleKind::kStream) ? State::Get().streams.Find(id) : nullptr;
  if (stream == nullptr) return UnknownHandle("stream", id);
  if (check_lost) {
    if (aclError code = CheckDeviceUsable(stream->device()); code != 0) return code;
  }
  *out = std::move(stream);
  return ACL_SUCCESS;
}

aclError ResolveStream(aclrtStream handle, const Context &context, std::shared_ptr<Stream> *out) {
  if (handle == nullptr) {
    *out = context.default_stream();
    return ACL_SUCCESS;
  }
  std::shared_ptr<Stream> stream;
  if (aclError code = FindStream(handle, &stream); code != 0) return code;
  if (stream->device() != context.device()) {
    return Fail(acl::ACL_ERROR_RT_STREAM_CONTEXT, "stream %s belongs to device %d, but the current context is on device %d",
                Hex(stream->id()).c_str(), stream->device(), context.device());
  }
  *out = std::move(stream);
  return ACL_SUCCESS;
}

aclError FindEvent(aclrtEvent handle, std::shared_ptr<Event> *out, bool check_lost) {
  if (handle == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "event is NULL");
  uint64_t id = HandleId(handle);
  std::shared_ptr<Event> event = HandleIs(id, HandleKind::kEvent) ? State::Get().events.Find(id) : nullptr;
  if (event == nullptr) return UnknownHandle("event", id);
  if (check_lost) {
    if (aclError code = CheckDeviceUsable(event->device()); code != 0) return code;
  }
  *out = std::move(event);
  return ACL_SUCCESS;
}

aclError FindContext(aclrtContext handle, std::shared_ptr<Context> *out) {
  if (handle == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "context is NULL");
  uint64_t id = HandleId(handle);
  std::shared_ptr<Context> context = HandleIs(id, HandleKind::kContext) ? State::Get().contexts.Find(id) : nullptr;
  if (context == nullptr || context->destroyed()) return UnknownHandle("context", id);
  *out = std::move(context);
  return ACL_SUCCESS;
}

aclError CheckTimeout(int32_t timeout_ms, aclError code) {
  if (timeout_ms == -1 || timeout_ms > 0) return ACL_SUCCESS;
  return Fail(code, "timeout %d ms is invalid: use -1 to wait forever or a positive number of milliseconds", timeout_ms);
}

int64_t DeadlineFor(int32_t timeout_ms) { return timeout_ms < 0 ? -1 : NowNs() + int64_t{timeout_ms} * 1000000; }

aclError TakeStreamError(Stream &stream) {
  aclError code = 0;
  std::string message;
  if (!stream.TakeError(&code, &message)) return ACL_SUCCESS;
  QueueMessage(Sprintf("stream %s reported an asynchronous error: %s", Hex(stream.id()).c_str(), message.c_str()));
  return code;
}

aclError WaitStreams(const std::vector<std::shared_ptr<Stream>> &streams, int64_t deadline_ns, aclError timeout_code,
                     int32_t timeout_ms) {
  // Capture every target before waiting: work submitted during the wait is not waited for.
  std::vector<uint64_t> targets;
  targets.reserve(streams.size());
  for (const auto &stream : streams) targets.push_back(stream->submitted());
  for (size_t i = 0; i < streams.size(); ++i) {
    if (!streams[i]->WaitFor(targets[i], deadline_ns)) {
      return Fail(timeout_code, "stream %s did not finish its work within %d ms (%zu tasks pending)",
                  Hex(streams[i]->id()).c_str(), timeout_ms, streams[i]->pending());
    }
  }
  aclError first = ACL_SUCCESS;
  for (const auto &stream : streams) {
    aclError code = TakeStreamError(*stream);
    if (first == ACL_SUCCESS) first = code;
  }
  return first;
}

}  // namespace aclsim
