#include "acl_errors.h"

#include <algorithm>
#include <iterator>

namespace acl {
namespace {

#define ACL_ERROR_ROW(name, value) {value, #name},
const ErrorRow kRows[] = {ACL_ERROR_CODE_LIST(ACL_ERROR_ROW)};
#undef ACL_ERROR_ROW

struct HintRow {
  int code;
  const char *hint;
};

// Hints say what to do, not what the name already says. Kept to the codes users actually meet
// (user-problems.md); every other code still gets its name and category.
const HintRow kHints[] = {
    {ACL_ERROR_INVALID_PARAM, "The runtime rejected an argument (a NULL handle, a zero size or an unknown enum value)."},
    {ACL_ERROR_UNINITIALIZE, "AscendCL is not initialised: open a Runtime with acl.open() first."},
    {ACL_ERROR_REPEAT_INITIALIZE,
     "AscendCL is already initialised in this process with other settings: pass the same backend and sim options as the "
     "open Runtime, or close it first."},
    {ACL_ERROR_INVALID_FILE, "The configuration file could not be read."},
    {ACL_ERROR_INVALID_MODEL_ID, "The model is not loaded (it was unloaded, or its id belongs to another process)."},
    {ACL_ERROR_REPEAT_FINALIZE, "AscendCL was already finalised."},
    {ACL_ERROR_COMPILING_STUB_MODE,
     "This is CANN's link-only stub libascendcl.so: source the toolkit's set_env.sh or point libraryPath at "
     "<toolkit>/lib64/libascendcl.so."},
    {ACL_ERROR_API_NOT_SUPPORT, "This runtime does not provide the function: upgrade CANN, or avoid the option that needs it."},
    {ACL_ERROR_RT_PARAM_INVALID, "The runtime rejected a value (a size, offset, pointer or timeout); recentMessage says which."},
    {ACL_ERROR_RT_INVALID_DEVICEID,
     "No device with that id: check rt.deviceCount and ASCEND_RT_VISIBLE_DEVICES / ASCEND_VISIBLE_DEVICES."},
    {ACL_ERROR_RT_CONTEXT_NULL,
     "No AscendCL context is bound on the calling thread (contexts are per thread); the binding binds one for you, so "
     "this usually means raw native code ran on a thread of its own."},
    {ACL_ERROR_RT_STREAM_CONTEXT, "The stream or event belongs to another device than the operation."},
    {ACL_ERROR_RT_EVENT_TIMESTAMP_INVALID,
     "Both events must be created with timing, recorded, and complete: synchronize the later event before elapsedSince."},
    {ACL_ERROR_RT_THREAD_SUBSCRIBE, "No stream is subscribed to the calling thread (aclrtSubscribeReport)."},
    {ACL_ERROR_RT_STREAM_NO_CB_REG, "No thread is subscribed to the stream's callbacks (aclrtSubscribeReport)."},
    {ACL_ERROR_RT_INVALID_HANDLE, "The handle was destroyed or never created."},
    {ACL_ERROR_RT_FEATURE_NOT_SUPPORT, "This runtime or device does not support the operation."},
    {ACL_ERROR_RT_MEMORY_ALLOCATION,
     "Device memory is exhausted: close buffers you no longer need (rt.stats() shows what is live) or call "
     "device.trimPool()."},
    {ACL_ERROR_RT_NO_DEVICE, "No Ascend device is visible to this process (driver not loaded, or a container without /dev/davinci*)."},
    {ACL_ERROR_RT_NO_EVENT_RESOURCE, "Too many events are alive on the device: close the ones you no longer need."},
    {ACL_ERROR_RT_NO_STREAM_RESOURCE, "Too many streams are alive on the device: close the ones you no longer need."},
    {ACL_ERROR_RT_DEVICE_OOM, "Device memory is exhausted: close buffers you no longer need."},
    {ACL_ERROR_INTERNAL_ERROR, "An internal runtime failure: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_LOST_HEARTBEAT, "The device stopped responding: call device.reset(); if it persists, check npu-smi and the driver."},
    {ACL_ERROR_RT_MODEL_EXECUTE, "Model execution failed on the device: read recentMessage, then call device.reset()."},
    {ACL_ERROR_RT_REPORT_TIMEOUT, "No callback arrived within the timeout."},
    {ACL_ERROR_RT_AICORE_TIMEOUT, "An AI Core task timed out: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_AICORE_EXCEPTION, "An AI Core task raised an exception: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_DEV_SETUP_ERROR,
     "The device could not be opened: driver/firmware mismatch, another process holding the card, or a container "
     "without the device nodes. acl.diagnose() reports what it sees."},
    {ACL_ERROR_RT_STREAM_SYNC_TIMEOUT, "The wait timed out; the stream is still usable. Raise timeoutMs or find the work that never finishes."},
    {ACL_ERROR_RT_EVENT_SYNC_TIMEOUT, "The wait timed out; the event is still usable. Raise timeoutMs or find the work that never finishes."},
    {ACL_ERROR_RT_DEVICE_MEM_ERROR, "A device memory error: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR, "An uncorrectable HBM ECC error: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_SUSPECT_REMOTE_ERROR, "A remote device failed: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_DRV_INTERNAL_ERROR, "The driver failed: the device is faulted until device.reset()."},
    {ACL_ERROR_RT_SOCKET_CLOSE, "The host lost its connection to the device: call device.reset()."},
    {ACL_ERROR_GE_PARAM_INVALID, "The model is malformed or uses an operator this runtime cannot run; recentMessage names it."},
    {ACL_ERROR_GE_EXEC_NOT_INIT, "Model APIs need aclInit first: open a Runtime."},
    {ACL_ERROR_GE_EXEC_MODEL_PATH_INVALID,
     "The model file is missing or unreadable (on the simulator an .om needs the .onnx of the same name beside it)."},
    {ACL_ERROR_GE_EXEC_MODEL_DATA_SIZE_INVALID, "A model input or output buffer is smaller than the model needs."},
    {ACL_ERROR_GE_DYNAMIC_BATCH_SIZE_INVALID, "The batch size is not one of the model's compiled gears (model.dynamicBatch)."},
    {ACL_ERROR_GE_MODEL_EXECUTE_TIMEOUT, "The model did not finish within the timeout; the model is still usable."},
};

// api.md "Device-fatal codes".
const int kDeviceFatal[] = {
    ACL_ERROR_INTERNAL_ERROR,          ACL_ERROR_RT_LOST_HEARTBEAT,      ACL_ERROR_RT_MODEL_EXECUTE,
    ACL_ERROR_RT_AICORE_TIMEOUT,       ACL_ERROR_RT_AICORE_EXCEPTION,    ACL_ERROR_RT_DEV_SETUP_ERROR,
    ACL_ERROR_RT_DEVICE_MEM_ERROR,     ACL_ERROR_RT_HBM_MULTI_BIT_ECC_ERROR, ACL_ERROR_RT_SUSPECT_REMOTE_ERROR,
    ACL_ERROR_RT_DRV_INTERNAL_ERROR,   ACL_ERROR_RT_SOCKET_CLOSE,
};

}  // namespace

const char *ErrorName(int code) {
  for (const ErrorRow &row : kRows) {
    if (row.code == code) return row.name;
  }
  return nullptr;
}

const char *ErrorCategory(int code) {
  if (code < 100000 || code > 599999) return "unknown";
  switch (code / 100000) {
    case 1: return "parameter";
    case 2: return "resource";
    case 3: return "business";
    case 5: return "internal";
    default: return "unknown";
  }
}

const char *ErrorHint(int code) {
  for (const HintRow &row : kHints) {
    if (row.code == code) return row.hint;
  }
  return nullptr;
}

bool IsDeviceFatal(int code) {
  return std::find(std::begin(kDeviceFatal), std::end(kDeviceFatal), code) != std::end(kDeviceFatal);
}

const ErrorRow *ErrorTable(int *count) {
  *count = static_cast<int>(std::size(kRows));
  return kRows;
}

}  // namespace acl
