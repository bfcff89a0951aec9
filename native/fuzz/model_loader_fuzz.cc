// libFuzzer target for the model loader (sim/model through the AscendCL C ABI): arbitrary bytes
// go to aclmdlLoadFromMem; a model that loads is described (every input and output: size, dims,
// name, type, format, index by name, dynamic batch), sized with aclmdlQuerySizeFromMem, and —
// when its I/O and work memory are small — executed once on zeroed inputs, then unloaded.
//
// Every failure must carry a recent-error message (what the binding turns into AclError). The
// simulator is initialised once per process (aclInit, device 0, one executor thread) so an input
// costs the load itself, not setup; the execution bound keeps one input at microseconds to
// milliseconds while still running the kernels on whatever graph the fuzzer built.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "sim/aclsim.h"

namespace {

// Execute only models whose inputs and outputs together fit in kMaxIoBytes and whose work
// memory (aclmdlQuerySize's estimate of the intermediate values) fits in kMaxWorkBytes.
constexpr size_t kMaxIoBytes = 64 * 1024;
constexpr size_t kMaxWorkBytes = 256 * 1024;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// A failed call must have queued a message saying why; reading it also drains the queue.
void ExpectReason(aclError code) {
  const char *message = aclGetRecentErrMsg();
  if (code != ACL_SUCCESS) Check(message != nullptr && message[0] != '\0');
}

bool Initialise() {
  aclsimSetOption("threads", "1");
  aclsimSetOption("memoryBytes", "64MiB");
  Check(aclInit(nullptr) == ACL_SUCCESS);
  Check(aclrtSetDevice(0) == ACL_SUCCESS);
  return true;
}

void Describe(aclmdlDesc *desc, size_t inputs, size_t outputs) {
  for (int side = 0; side < 2; ++side) {
    size_t count = side == 0 ? inputs : outputs;
    for (size_t i = 0; i <= count; ++i) {  // one past the end too: must fail cleanly
      aclmdlIODims dims;
      aclError code = side == 0 ? aclmdlGetInputDims(desc, i, &dims) : aclmdlGetOutputDims(desc, i, &dims);
      ExpectReason(code);
      Check((code == ACL_SUCCESS) == (i < count));
      const char *name = side == 0 ? aclmdlGetInputNameByIndex(desc, i) : aclmdlGetOutputNameByIndex(desc, i);
      aclGetRecentErrMsg();
      if (side == 0) {
        (void)aclmdlGetInputSizeByIndex(desc, i);
        (void)aclmdlGetInputDataType(desc, i);
        (void)aclmdlGetInputFormat(desc, i);
        (void)aclmdlGetInputDimsV2(desc, i, &dims);
      } else {
        (void)aclmdlGetOutputSizeByIndex(desc, i);
        (void)aclmdlGetOutputDataType(desc, i);
        (void)aclmdlGetOutputFormat(desc, i);
        (void)aclmdlGetCurOutputDims(desc, i, &dims);
      }
      aclGetRecentErrMsg();
      if (name != nullptr && i < count) {
        size_t index = 0;
        aclError found = side == 0 ? aclmdlGetInputIndexByName(desc, name, &index)
                                   : aclmdlGetOutputIndexByName(desc, name, &index);
        ExpectReason(found);
        // Names may repeat in a hostile graph: the index found names the same string.
        if (found == ACL_SUCCESS) Check(index < count);
      }
    }
  }
  aclmdlBatch batch;
  ExpectReason(aclmdlGetDynamicBatch(desc, &batch));
}

// Zeroed device buffers of the described sizes, executed once; everything freed.
void Execute(uint32_t id, aclmdlDesc *desc, size_t inputs, size_t outputs) {
  std::vector<void *> memory;
  aclmdlDataset *sets[2] = {aclmdlCreateDataset(), aclmdlCreateDataset()};
  for (int side = 0; side < 2; ++side) {
    size_t count = side == 0 ? inputs : outputs;
    for (size_t i = 0; i < count; ++i) {
      size_t bytes = side == 0 ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
      void *p = nullptr;
      aclError code = aclrtMalloc(&p, bytes == 0 ? 1 : bytes, ACL_MEM_MALLOC_HUGE_FIRST);
      ExpectReason(code);
      if (code != ACL_SUCCESS) continue;
      memory.push_back(p);
      aclrtMemset(p, bytes == 0 ? 1 : bytes, 0, bytes == 0 ? 1 : bytes);
      aclDataBuffer *buffer = aclCreateDataBuffer(p, bytes);
      ExpectReason(aclmdlAddDatasetBuffer(sets[side], buffer));
    }
  }
  aclmdlBatch batch;
  if (aclmdlGetDynamicBatch(desc, &batch) == ACL_SUCCESS && batch.batchCount > 0) {
    size_t index = 0;
    if (aclmdlGetInputIndexByName(desc, "ascend_mbatch_shape_data", &index) == ACL_SUCCESS) {
      ExpectReason(aclmdlSetDynamicBatchSize(id, sets[0], index, batch.batch[0]));
    }
  }
  aclGetRecentErrMsg();
  ExpectReason(aclmdlExecute(id, sets[0], sets[1]));
  for (aclmdlDataset *set : sets) {
    for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(set); ++i) aclDestroyDataBuffer(aclmdlGetDatasetBuffer(set, i));
    aclmdlDestroyDataset(set);
  }
  for (void *p : memory) Check(aclrtFree(p) == ACL_SUCCESS);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const bool initialised = Initialise();
  (void)initialised;

  // One input in eight (by length, so the bytes stay a plain model) loads as a dynamic-batch
  // model, which takes the signature's gear checks and the hidden batch input.
  const bool dynamic = size % 8 == 7;
  if (dynamic) Check(aclsimSetModelOptions("dynamicBatch=1,2") == ACL_SUCCESS);
  uint32_t id = 0;
  aclError code = aclmdlLoadFromMem(data, size, &id);
  ExpectReason(code);
  if (code != ACL_SUCCESS) return 0;

  aclmdlDesc *desc = aclmdlCreateDesc();
  Check(desc != nullptr);
  Check(aclmdlGetDesc(desc, id) == ACL_SUCCESS);
  size_t inputs = aclmdlGetNumInputs(desc);
  size_t outputs = aclmdlGetNumOutputs(desc);
  Describe(desc, inputs, outputs);

  size_t work = 0, weights = 0;
  if (dynamic) Check(aclsimSetModelOptions("dynamicBatch=1,2") == ACL_SUCCESS);
  Check(aclmdlQuerySizeFromMem(data, size, &work, &weights) == ACL_SUCCESS);  // it loaded, so it sizes
  size_t io = 0;
  for (size_t i = 0; i < inputs; ++i) io += aclmdlGetInputSizeByIndex(desc, i);
  for (size_t i = 0; i < outputs; ++i) io += aclmdlGetOutputSizeByIndex(desc, i);
  if (io <= kMaxIoBytes && work <= kMaxWorkBytes) Execute(id, desc, inputs, outputs);

  Check(aclmdlDestroyDesc(desc) == ACL_SUCCESS);
  Check(aclmdlUnload(id) == ACL_SUCCESS);
  aclGetRecentErrMsg();
  return 0;
}
