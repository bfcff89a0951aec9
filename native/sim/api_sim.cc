// The simulator's own extensions (aclsim*): options, fault injection, statistics, leak report.
// Never faultable, and all of them work before aclInit.
#include <cstring>

#include "sim/api_common.h"
#include "sim/faults.h"
#include "sim/hazards.h"
#include "sim/model/model_options.h"
#include "sim/report.h"
#include "sim/trace_recorder.h"
#include "sim/util.h"

using namespace aclsim;

ACLSIM_EXPORT aclError aclsimSetOption(const char *name, const char *value) {
  return Guarded("aclsimSetOption", kNoChecks, [&]() -> aclError {
    if (name == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "name must not be NULL");
    State &state = State::Get();
    std::lock_guard<std::mutex> lock(state.lifecycle_mu);
    if (state.initialized.load(std::memory_order_acquire)) {
      return Fail(acl::ACL_ERROR_REPEAT_INITIALIZE,
                  "option %s cannot change while AscendCL is initialised: set options before aclInit (or after "
                  "aclFinalize)",
                  name);
    }
    std::string error;
    if (!state.option_store.Set(name, value, &error)) return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s", error.c_str());
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsimGetOption(const char *name, char *value, size_t valueLen) {
  return Guarded("aclsimGetOption", kNoChecks, [&]() -> aclError {
    if (name == nullptr || value == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "name and value must not be NULL");
    if (!IsKnownOption(name)) return Fail(acl::ACL_ERROR_INVALID_PARAM, "unknown option \"%s\"", name);
    State &state = State::Get();
    std::string text;
    {
      std::lock_guard<std::mutex> lock(state.lifecycle_mu);
      if (state.initialized.load(std::memory_order_acquire)) {
        text = FormatOption(state.options, name);
      } else {
        Options options;
        std::string error;
        if (!state.option_store.Resolve(&options, &error)) {
          return Fail(acl::ACL_ERROR_INVALID_PARAM, "%s", error.c_str());
        }
        text = FormatOption(options, name);
      }
    }
    if (valueLen < text.size() + 1) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM, "buffer of %zu bytes is too small for option %s: %zu bytes needed",
                  valueLen, name, text.size() + 1);
    }
    std::memcpy(value, text.c_str(), text.size() + 1);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsimInjectFault(const char *api, uint64_t nth, aclError code) {
  return Guarded("aclsimInjectFault", kNoChecks, [&]() -> aclError {
    if (api == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "api must not be NULL");
    if (!IsFaultableApi(api)) {
      return Fail(acl::ACL_ERROR_INVALID_PARAM,
                  "\"%s\" is not a faultable function (every exported AscendCL function is, except aclGetRecentErrMsg; "
                  "aclsim* functions never are)",
                  api);
    }
    if (code == 0) return Fail(acl::ACL_ERROR_INVALID_PARAM, "code must be a non-zero error code");
    Faults::Get().Add(FaultSpec{api, nth, code});
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsimClearFaults(void) {
  return Guarded("aclsimClearFaults", kNoChecks, []() -> aclError {
    Faults::Get().Clear();
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT const char *aclsimStatsJson(void) {
  return GuardedString("aclsimStatsJson", kNoChecks, []() -> const char * {
    thread_local std::string json;  // valid until this thread's next call
    json = BuildStatsJson();
    return json.c_str();
  });
}

ACLSIM_EXPORT const char *aclsimLeakReport(void) {
  return GuardedString("aclsimLeakReport", kNoChecks, []() -> const char * {
    thread_local std::string report;  // valid until this thread's next call
    State &state = State::Get();
    std::unique_lock<std::mutex> lock(state.lifecycle_mu);
    if (!state.initialized.load(std::memory_order_acquire) && !state.final_leak_report.empty()) {
      report = state.final_leak_report;  // what the last aclFinalize found still live
    } else {
      lock.unlock();
      report = BuildLeakReport();
    }
    return report.c_str();
  });
}

ACLSIM_EXPORT aclError aclsimSetModelOptions(const char *options) {
  // Thread-local and consumed by the next aclmdlLoad*, aclmdlQuerySize* or aclmdlGetDescFrom* call
  // on this thread (sim/model/model_options.h). Works before aclInit.
  return Guarded("aclsimSetModelOptions", kNoChecks, [&]() -> aclError {
    model::ClearPendingModelOptions();
    if (options == nullptr || options[0] == '\0') return ACL_SUCCESS;
    model::ModelOptions parsed;
    exec::Status status = model::ParseModelOptions(options, &parsed);
    if (!status.ok()) return Fail(status.code(), "%s", status.message().c_str());
    model::SetPendingModelOptions(std::move(parsed));
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT aclError aclsimTraceStart(size_t maxRecords) {
  return Guarded("aclsimTraceStart", kNoChecks, [&]() -> aclError {
    if (maxRecords == 0) return Fail(acl::ACL_ERROR_INVALID_PARAM, "maxRecords must be positive");
    TraceRecorder::Get().Start(maxRecords);
    return ACL_SUCCESS;
  });
}

ACLSIM_EXPORT const char *aclsimTraceStop(void) {
  return GuardedString("aclsimTraceStop", kNoChecks, []() -> const char * {
    thread_local std::string json;  // valid until this thread's next call
    json = TraceRecorder::Get().Stop();
    return json.c_str();
  });
}

ACLSIM_EXPORT aclError aclsimHostFuncScope(aclrtStream stream, int32_t enter) {
  // For bindings that run a stream's blocking callback on another thread than the one inside
  // aclrtProcessReport (Node runs it on the JavaScript thread): while entered, the calling
  // thread acts for the callback at the head of `stream`, so its synchronous copies may touch
  // memory that work queued behind the callback uses (hazards.h).
  return Guarded("aclsimHostFuncScope", kNoChecks, [&]() -> aclError {
    if (stream == nullptr) return Fail(acl::ACL_ERROR_INVALID_PARAM, "stream must not be NULL");
    const uint64_t id = HandleId(stream);
    if (enter == 0) {
      ExitCallback(id);
      return ACL_SUCCESS;
    }
    std::shared_ptr<Stream> found;
    if (aclError code = FindStream(stream, &found, /*check_lost=*/false); code != 0) return code;
    EnterCallback(id, found->head_position());
    return ACL_SUCCESS;
  });
}
