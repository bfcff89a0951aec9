// The native state behind one JS Model: the loaded model id, its description, and the one
// execution primitive every execute/run path uses.
//
// Loading and executing call AscendCL's synchronous model API, so the Promise forms run them on
// the device's threads (they may take long); the *Sync twins run them on the calling thread.
// One model runs one execution at a time (AscendCL's rule): `run_mutex_` serialises the native
// executions, and lib/ queues Promise executions so no device thread waits on it for long.
// Thread: Load/Execute on any thread with the device context bound; the rest on the JS thread.
#ifndef ASCENDCL_ADDON_MODEL_CORE_H_
#define ASCENDCL_ADDON_MODEL_CORE_H_

#include <napi.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "device_core.h"
#include "memory.h"

namespace ascendcl {

class StreamCore;

// One input or output as the runtime describes it.
struct IoDesc {
  std::string name;
  int data_type = -1;          // aclDataType
  int format = -1;             // aclFormat
  std::vector<int64_t> dims;   // -1 = known only at run time
  size_t byte_size = 0;        // the largest gear; 0 when unknown
};

// Where a model comes from, and how it was compiled (api.md ModelOptions).
struct ModelSource {
  std::string path;            // empty when loading from memory
  std::vector<uint8_t> bytes;  // the model, when loading from memory
  std::vector<uint64_t> gears;                                   // dynamicBatch
  std::vector<std::pair<std::string, std::string>> input_types;  // name → 'float16' | 'uint8' | ...
  std::vector<std::pair<std::string, std::string>> output_types;
};

// What a load produced, before it becomes a ModelCore on the JS thread.
struct LoadedModel {
  uint32_t id = 0;
  aclmdlDesc *desc = nullptr;
  std::vector<IoDesc> inputs;  // model order, including the hidden dynamic-batch input
  std::vector<IoDesc> outputs;
  int hidden_input = -1;       // index of ascend_mbatch_shape_data, or -1
  std::vector<uint64_t> gears;
};

// Load on the calling thread (context bound). On the simulator the options are handed over first
// (aclsimSetModelOptions); on hardware they are checked against what the .om says.
int LoadModelHere(const ModelSource &source, bool simulator, LoadedModel *out, AclFailure *failure);

// One execution: where each input comes from and where each output goes.
struct ExecInput {
  void *device = nullptr;        // a device region the caller owns, or null…
  size_t device_size = 0;
  const void *host = nullptr;    // …host bytes uploaded first into the model's staging memory
  size_t host_size = 0;
  std::vector<int64_t> dims;     // actual dims, for inputs whose desc has -1 dims (empty otherwise)
};
struct ExecOutput {
  void *device = nullptr;        // a device region the caller owns, or null for staging/auto memory
  size_t device_size = 0;
  bool to_host = false;          // download into a new host buffer
  bool keep_on_device = false;   // hand the device memory over (ExecResult::device)
};
struct ExecPlan {
  std::vector<ExecInput> inputs;   // one per visible input, model order
  std::vector<ExecOutput> outputs; // one per output
  uint64_t batch = 0;              // dynamic-batch models: the gear to run
};
struct ExecResult {
  std::vector<int64_t> dims;
  int data_type = -1;
  size_t bytes = 0;
  std::shared_ptr<uint8_t> host;   // to_host: the downloaded bytes
  void *device = nullptr;          // keep_on_device: device memory the caller now owns…
  bool pooled = false;             // …from the device's pool (else from the runtime's aclrtMalloc)
};

class ModelCore : public DeviceChild, public Pinnable, public std::enable_shared_from_this<ModelCore> {
 public:
  ModelCore(std::shared_ptr<DeviceCore> device, LoadedModel loaded, std::string origin);
  ~ModelCore() override;

  uint32_t id() const { return loaded_.id; }
  const std::vector<IoDesc> &inputs() const { return loaded_.inputs; }
  const std::vector<IoDesc> &outputs() const { return loaded_.outputs; }
  int hidden_input() const { return loaded_.hidden_input; }
  const std::vector<uint64_t> &gears() const { return loaded_.gears; }
  bool closed() const { return closed_; }
  const std::string &origin() const { return origin_; }

  // Run one execution on the calling thread (context bound). Serialised per model.
  int Execute(const ExecPlan &plan, std::vector<ExecResult> *results, AclFailure *failure);

  // Stream-ordered executions (stream.execute) must never overlap another execution of the same
  // model (AscendCL's rule). The model keeps an internal event recorded after its latest
  // stream execution: work on another stream waits for it on the device, and host-side
  // executions wait for it on their device thread. JS thread; 0 or a runtime code.
  int OrderBefore(aclrtStream stream, AclFailure *failure);
  int RecordAfter(const std::shared_ptr<StreamCore> &stream, AclFailure *failure);
  // The event a host-side execution must wait for first, or null.
  aclrtEvent pending_stream_execution() const { return order_recorded_ ? order_event_ : nullptr; }
  // Whether that execution is queued behind a host function (stream.launchHostFunc) that has not
  // finished: it needs the JS thread, so a synchronous wait for it there could never end.
  bool LatestStreamExecutionWaitsOnHostFunc() const;

  // Queued stream executions hold the model; unload waits for the last of them.
  void Pin() override { ++pins_; }
  void Unpin() override;
  // Unload now, or once queued stream executions complete. Idempotent.
  void Close();
  void CloseForParent() override;

 private:
  void Release();
  void *Staging(std::vector<std::pair<void *, size_t>> *slots, size_t index, size_t bytes, AclFailure *failure);
  void FreeStaging();

  LoadedModel loaded_;
  std::string origin_;
  bool closed_ = false;
  bool released_ = false;
  int pins_ = 0;
  std::mutex run_mutex_;
  // Device memory the model keeps between executions for uploaded inputs, outputs and the
  // dynamic-batch value (guarded by run_mutex_).
  std::vector<std::pair<void *, size_t>> input_staging_;
  std::vector<std::pair<void *, size_t>> output_staging_;
  void *batch_staging_ = nullptr;
  aclrtEvent order_event_ = nullptr;
  bool order_recorded_ = false;
  uint64_t order_host_funcs_before_ = 0;  // host functions launched on order_stream_ before it
  std::weak_ptr<StreamCore> order_stream_;
};

// The runtime's names for formats and data types, as api.md spells them.
std::string FormatName(int format);
std::string DataTypeName(int data_type);
size_t DataTypeBytes(int data_type);

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_MODEL_CORE_H_
