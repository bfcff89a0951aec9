// Host callbacks (reference §4.7, §5.6).
#include "sim/api_common.h"
#include "sim/util.h"

using namespace aclsim;

namespace {

// NULL = the current context's default stream.
aclError CallbackStream(aclrtStream handle, std::shared_ptr<Stream> *out, bool check_lost) {
  if (handle != nullptr) return FindStream(handle, out, check_lost);
  std::shared_ptr<Context> context;
  if (check_lost) {
    if (aclError code = RequireContext(&context); code != 0) return code;
  } else if ((context = CurrentContext()) == nullptr) {
    return Fail(acl::ACL_ERROR_RT_CONTEXT_NULL, "stream is NULL and the calling thread has no current context");
  }
  *out = context->default_stream();
  return ACL_SUCCESS;
}

}  // namespace

ACLSIM_EXPORT aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return Guarded("aclrtSubscribeReport", kStandard, [&]() -> aclError {
    std::shared_ptr<Stream> target;
    if (aclError code = CallbackStream(stream, &target, /*check_lost=*/true); code != 0) return code;
    return State::Get().callbacks.Subscribe(threadId, target->id());
  });
}

ACLSIM_EXPORT aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream) {
  return Guarded("aclrtUnSubscribeReport", kStandard, [&]() -> aclError {
    std::shared_ptr<Stream> target;
    if (aclError code = CallbackStream(stream, &target, /*check_lost=*/false); code != 0) return code;
    return State::Get().callbacks.Unsubscribe(threadId, target->id());
  });
}

ACLSIM_EXPORT aclError aclrtLaunchCallback(aclrtCallback fn, void *userData, aclrtCallbackBlockType blockType,
                                           aclrtStream stream) {
  return Guarded("aclrtLaunchCallback", kStandard, [&]() -> aclError {
    if (fn == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "fn must not be NULL");
    if (int raw = RawEnum(blockType); raw != ACL_CALLBACK_NO_BLOCK && raw != ACL_CALLBACK_BLOCK) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "blockType %d is neither ACL_CALLBACK_NO_BLOCK (0) nor "
                  "ACL_CALLBACK_BLOCK (1)", raw);
    }
    std::shared_ptr<Stream> target;
    if (aclError code = CallbackStream(stream, &target, /*check_lost=*/true); code != 0) return code;
    State &state = State::Get();
    if (!state.callbacks.HasSubscriber(target->id())) {
      return Fail(acl::ACL_ERROR_RT_STREAM_NO_CB_REG,
                  "no thread is subscribed to stream %s: call aclrtSubscribeReport(threadId, stream) first",
                  Hex(target->id()).c_str());
    }
    auto task = std::make_unique<CallbackTask>(&state.callbacks, fn, userData, blockType == ACL_CALLBACK_BLOCK);
    if (!target->Submit(std::move(task))) {
      return Fail(acl::ACL_ERROR_RT_INVALID_HANDLE, "stream %s is being destroyed", Hex(target->id()).c_str());
    }
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclrtProcessReport(int32_t timeout) {
  return Guarded("aclrtProcessReport", kStandard, [&]() -> aclError {
    if (timeout == 0 || timeout < -1) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "timeout %d ms is invalid: use -1 to wait forever or a positive number",
                  timeout);
    }
    return State::Get().callbacks.Process(timeout);
  });
}
