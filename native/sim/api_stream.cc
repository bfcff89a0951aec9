// Streams (reference §4.4, §5.4): create/destroy, synchronize, query, wait for an event.
#include "sim/api_common.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

// NULL = the current context's default stream (which needs a context); any other stream may be
// synchronized or queried from any context, as the runtime switches context for it.
aclError StreamForWait(aclrtStream handle, std::shared_ptr<Stream> *out) {
  if (handle != nullptr) return FindStream(handle, out);
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  *out = context->default_stream();
  return ACL_SUCCESS;
}

aclError DestroyStream(aclrtStream handle, bool force) {
  std::shared_ptr<Stream> stream;
  // A lost device does not stop a release: destroying is how the user cleans up after a fault.
  if (aclError code = FindStream(handle, &stream, /*check_lost=*/false); code != 0) return code;
  std::shared_ptr<Context> context = CurrentContext();
  if (context == nullptr) {
    return Fail(acl::ACL_ERROR_RT_CONTEXT_NULL, "the calling thread has no current context (streams are destroyed "
                "from a context of their device)");
  }
  if (stream->device() != context->device()) {
    return Fail(acl::ACL_ERROR_RT_STREAM_CONTEXT,
                "stream %s belongs to device %d, but the current context is on device %d", Hex(stream->id()).c_str(),
                stream->device(), context->device());
  }
  if (stream->is_default()) {
    return Fail(acl::ACL_ERROR_RT_PARAM_INVALID, "stream %s is a default stream: it is released with its context",
                Hex(stream->id()).c_str());
  }
  DestroyStreamObject(stream, force);
  return ACL_SUCCESS;
}

aclError SynchronizeStream(aclrtStream handle, int32_t timeout_ms) {
  // The runtime checks for a current context even when the stream is given (reference §5.2).
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  std::shared_ptr<Stream> stream;
  if (aclError code = StreamForWait(handle, &stream); code != 0) return code;
  return WaitStreams({stream}, DeadlineFor(timeout_ms), acl::ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, timeout_ms);
}

aclError StreamWaitEvent(const char *api, aclrtStream stream_handle, aclrtEvent event_handle, int32_t timeout_ms) {
  std::shared_ptr<Event> event;
  if (aclError code = FindEvent(event_handle, &event); code != 0) return code;
  std::shared_ptr<Stream> stream;
  if (aclError code = StreamForWait(stream_handle, &stream); code != 0) return code;
  if (stream->device() != event->device()) {
    return Fail(acl::ACL_ERROR_RT_STREAM_CONTEXT, "event %s belongs to device %d but stream %s to device %d",
                Hex(event->id()).c_str(), event->device(), Hex(stream->id()).c_str(), stream->device());
  }
  // The record that is latest now; a never-recorded event makes the wait a no-op.
  std::shared_ptr<RecordPoint> point = event->latest();
  if (point == nullptr || point->done()) return ACL_SUCCESS;
  if (!stream->Submit(std::make_unique<WaitEventTask>(api, point, event->id(), timeout_ms))) {
    return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "stream %s is being destroyed", Hex(stream->id()).c_str());
  }
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclrtCreateStream(aclrtStream *stream) {
  return Guarded("aclrtCreateStream", kStandard, [&]() -> aclError {
    if (stream == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "stream must not be NULL");
    std::shared_ptr<Context> context;
    if (aclError code = RequireContext(&context); code != 0) return code;
    State &state = State::Get();
    auto created = std::make_shared<Stream>(&state.scheduler, NewHandleId(HandleKind::kStream), context->device(),
                                            context->id(), /*is_default=*/false, MakeOrigin("aclrtCreateStream"));
    Device &device = state.device(context->device());
    int limit = state.max_streams.load(std::memory_order_relaxed);
    if (device.user_streams.fetch_add(1) >= limit) {
      device.user_streams.fetch_sub(1);
      return Fail(acl::ACL_ERROR_RT_NO_STREAM_RESOURCE,
                  "device %d already has %d user-created streams (limit maxStreams = %d): destroy streams you no longer "
                  "need",
                  context->device(), limit, limit);
    }
    state.streams.Insert(created->id(), created);
    *stream = HandleValue(created->id());
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtDestroyStream(aclrtStream stream) {
  return Guarded("aclrtDestroyStream", kStandard, [&] { return DestroyStream(stream, /*force=*/false); });
}

ACLSIM_EXPORT aclError aclrtDestroyStreamForce(aclrtStream stream) {
  return Guarded("aclrtDestroyStreamForce", kStandard, [&] { return DestroyStream(stream, /*force=*/true); });
}

ACLSIM_EXPORT aclError aclrtSynchronizeStream(aclrtStream stream) {
  return Guarded("aclrtSynchronizeStream", kStandard, [&] { return SynchronizeStream(stream, -1); });
}

ACLSIM_EXPORT aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout) {
  return Guarded("aclrtSynchronizeStreamWithTimeout", kStandard, [&]() -> aclError {
    if (aclError code = CheckTimeout(timeout, acl::ACL_ERROR_RT_PARAM_INVALID); code != 0) return code;
    return SynchronizeStream(stream, timeout);
  });
}

ACLSIM_EXPORT aclError aclrtStreamQuery(aclrtStream stream, aclrtStreamStatus *status) {
  return Guarded("aclrtStreamQuery", kStandard, [&]() -> aclError {
    if (status == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "status must not be NULL");
    std::shared_ptr<Stream> found;
    if (aclError code = StreamForWait(stream, &found); code != 0) return code;
    *status = found->pending() == 0 ? ACL_STREAM_STATUS_COMPLETE : ACL_STREAM_STATUS_NOT_READY;
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event) {
  return Guarded("aclrtStreamWaitEvent", kStandard,
                 [&] { return StreamWaitEvent("aclrtStreamWaitEvent", stream, event, -1); });
}

ACLSIM_EXPORT aclError aclrtStreamWaitEventWithTimeout(aclrtStream stream, aclrtEvent event, int32_t timeout) {
  return Guarded("aclrtStreamWaitEventWithTimeout", kStandard, [&]() -> aclError {
    if (aclError code = CheckTimeout(timeout, acl::ACL_ERROR_RT_PARAM_INVALID); code != 0) return code;
    return StreamWaitEvent("aclrtStreamWaitEventWithTimeout", stream, event, timeout);
  });
}
