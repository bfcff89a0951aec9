// Events (reference §4.5, §5.5): create/destroy, record, query, synchronize, elapsed time.
#include "sim/api_common.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

// Every flag bit the runtime defines (acl_abi.h has the three the binding uses).
constexpr uint32_t kKnownEventFlags = 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x40;

aclError CreateEvent(const char *api, aclrtEvent *event, uint32_t flags, bool timing) {
  std::shared_ptr<Context> context;
  if (aclError code = RequireContext(&context); code != 0) return code;
  State &state = State::Get();
  auto created = std::make_shared<Event>(NewHandleId(HandleKind::kEvent), context->device(), context->id(), flags,
                                         timing, MakeOrigin(api));
  Device &device = state.device(context->device());
  int limit = state.max_events.load(std::memory_order_relaxed);
  if (device.events.fetch_add(1) >= limit) {
    device.events.fetch_sub(1);
    return Fail(acl::ACL_ERROR_RT_NO_EVENT_RESOURCE,
                "device %d already has %d events (limit maxEvents = %d): destroy events you no longer need",
                context->device(), limit, limit);
  }
  state.events.Insert(created->id(), created);
  *event = HandleValue(created->id());
  return ACL_SUCCESS;
}

aclError SynchronizeEvent(aclrtEvent handle, int32_t timeout_ms) {
  std::shared_ptr<Event> event;
  if (aclError code = FindEvent(handle, &event); code != 0) return code;
  std::shared_ptr<RecordPoint> point = event->latest();  // the latest record made before this call
  if (point == nullptr) return ACL_SUCCESS;
  if (!point->Wait(DeadlineFor(timeout_ms))) {
    return Fail(acl::ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, "event %s did not complete within %d ms",
                Hex(event->id()).c_str(), timeout_ms);
  }
  return ACL_SUCCESS;
}

// The timestamp of an event for aclrtEventElapsedTime, or 107006 saying why there is none.
aclError TimestampOf(const char *role, const Event &event, int64_t *ns) {
  if (!event.timing()) {
    return Fail(acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID,
                "%s event %s was created without ACL_EVENT_TIME_LINE and has no timestamp", role,
                Hex(event.id()).c_str());
  }
  std::shared_ptr<RecordPoint> point = event.latest();
  if (point == nullptr) {
    return Fail(acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID, "%s event %s was never recorded", role,
                Hex(event.id()).c_str());
  }
  if (!point->done()) {
    return Fail(acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID,
                "%s event %s has not completed yet: synchronize it before asking for elapsed time", role,
                Hex(event.id()).c_str());
  }
  if (!point->timestamp(ns)) {
    return Fail(acl::ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID,
                "%s event %s has no timestamp: its record was dropped (forced destroy or reset of its stream)", role,
                Hex(event.id()).c_str());
  }
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclrtCreateEvent(aclrtEvent *event) {
  return Guarded("aclrtCreateEvent", kStandard, [&]() -> aclError {
    if (event == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "event must not be NULL");
    return CreateEvent("aclrtCreateEvent", event, ACL_EVENT_SYNC | ACL_EVENT_TIME_LINE, /*timing=*/true);
  });
}

ACLSIM_EXPORT aclError aclrtCreateEventWithFlag(aclrtEvent *event, uint32_t flag) {
  return Guarded("aclrtCreateEventWithFlag", kStandard, [&]() -> aclError {
    if (event == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "event must not be NULL");
    if (flag == 0 || (flag & ~kKnownEventFlags) != 0) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM,
                  "flag 0x%x is invalid: use a combination of ACL_EVENT_SYNC (0x1), ACL_EVENT_CAPTURE_STREAM_PROGRESS "
                  "(0x2), ACL_EVENT_TIME_LINE (0x8), 0x10, 0x20, 0x40",
                  flag);
    }
    return CreateEvent("aclrtCreateEventWithFlag", event, flag, (flag & ACL_EVENT_TIME_LINE) != 0);
  });
}

ACLSIM_EXPORT aclError aclrtDestroyEvent(aclrtEvent event) {
  return Guarded("aclrtDestroyEvent", kStandard, [&]() -> aclError {
    std::shared_ptr<Event> found;
    if (aclError code = FindEvent(event, &found, /*check_lost=*/false); code != 0) return code;
    // Allowed while a record is pending: the record keeps what it needs and completes later.
    DestroyEventObject(found);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream) {
  return Guarded("aclrtRecordEvent", kStandard, [&]() -> aclError {
    std::shared_ptr<Event> found;
    if (aclError code = FindEvent(event, &found); code != 0) return code;
    std::shared_ptr<Stream> target;
    if (stream == nullptr) {
      std::shared_ptr<Context> context;
      if (aclError code = RequireContext(&context); code != 0) return code;
      target = context->default_stream();
    } else if (aclError code = FindStream(stream, &target); code != 0) {
      return code;
    }
    if (target->device() != found->device()) {
      return Fail(acl::ACL_ERROR_RT_STREAM_CONTEXT, "event %s belongs to device %d but stream %s to device %d",
                  Hex(found->id()).c_str(), found->device(), Hex(target->id()).c_str(), target->device());
    }
    auto point = std::make_shared<RecordPoint>();
    if (!target->Submit(std::make_unique<RecordEventTask>(point, found->timing()))) {
      return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "stream %s is being destroyed", Hex(target->id()).c_str());
    }
    // Published after the submit succeeded, so a failed record never leaves a point nobody completes.
    found->set_latest(std::move(point));
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtQueryEventStatus(aclrtEvent event, aclrtEventRecordedStatus *status) {
  return Guarded("aclrtQueryEventStatus", kStandard, [&]() -> aclError {
    if (status == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "status must not be NULL");
    std::shared_ptr<Event> found;
    if (aclError code = FindEvent(event, &found); code != 0) return code;
    *status = found->LatestDone() ? ACL_EVENT_RECORDED_STATUS_COMPLETE : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtSynchronizeEvent(aclrtEvent event) {
  return Guarded("aclrtSynchronizeEvent", kStandard, [&] { return SynchronizeEvent(event, -1); });
}

ACLSIM_EXPORT aclError aclrtSynchronizeEventWithTimeout(aclrtEvent event, int32_t timeout) {
  return Guarded("aclrtSynchronizeEventWithTimeout", kStandard, [&]() -> aclError {
    if (aclError code = CheckTimeout(timeout, acl::ACL_ERROR_RT_PARAM_INVALID); code != 0) return code;
    return SynchronizeEvent(event, timeout);
  });
}

ACLSIM_EXPORT aclError aclrtEventElapsedTime(float *ms, aclrtEvent startEvent, aclrtEvent endEvent) {
  return Guarded("aclrtEventElapsedTime", kStandard, [&]() -> aclError {
    if (ms == nullptr || startEvent == nullptr || endEvent == nullptr) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "ms, startEvent and endEvent must not be NULL");
    }
    std::shared_ptr<Event> start, end;
    if (aclError code = FindEvent(startEvent, &start); code != 0) return code;
    if (aclError code = FindEvent(endEvent, &end); code != 0) return code;
    int64_t start_ns = 0, end_ns = 0;
    if (aclError code = TimestampOf("start", *start, &start_ns); code != 0) return code;
    if (aclError code = TimestampOf("end", *end, &end_ns); code != 0) return code;
    *ms = static_cast<float>(static_cast<double>(end_ns - start_ns) / 1e6);
    return ACL_SUCCESS;
  });
}
