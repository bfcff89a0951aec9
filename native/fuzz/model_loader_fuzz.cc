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
#include <utility>
#include <vector>

#include "sim/aclsim.h"

namespace {

// Execute only models whose inputs and outputs together fit in kMaxIoBytes and whose work
// memory (aclmdlQuerySize's estimate of the intermediate values) fits in kMaxWorkBytes.
constexpr size_t kMaxIoBytes = 64 * 1024;
constexpr size_t kMaxWorkBytes = 256 * 1024;

// The inputs and outputs of an execution are carved, 64-byte aligned, from one device allocation
// made at start-up (room for kMaxIoBytes and the alignment of a few hundred buffers). Allocating
// and freeing them per input made every input grow the simulator's bounded record of freed
// allocations (kept to name use-after-free): until that record is full, and again whenever a new
// allocation lands on an old record's range, an input ends with more mallocs than frees, and
// libFuzzer then runs it twice and scans the heap for leaks; after 1000 such scans it silently
// stops looking for leaks for the rest of the run. With no device allocation per input, an input
// that leaks is still caught. Buffers inside an allocation (at an offset) are what a real
// application's memory pool hands out too.
constexpr size_t kArenaBytes = kMaxIoBytes + 64 * 1024;
constexpr size_t kAlign = 64;
void *g_arena = nullptr;

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
  Check(aclrtMalloc(&g_arena, kArenaBytes, ACL_MEM_MALLOC_HUGE_FIRST) == ACL_SUCCESS);
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

// Zeroed device buffers of the described sizes from the arena, executed once. False (nothing
// run) when the buffers with their alignment do not fit the arena.
bool Execute(uint32_t id, aclmdlDesc *desc, size_t inputs, size_t outputs) {
  size_t used = 0;
  std::vector<std::pair<size_t, size_t>> spans;  // (offset, bytes) per input, then per output
  for (int side = 0; side < 2; ++side) {
    size_t count = side == 0 ? inputs : outputs;
    for (size_t i = 0; i < count; ++i) {
      size_t bytes = side == 0 ? aclmdlGetInputSizeByIndex(desc, i) : aclmdlGetOutputSizeByIndex(desc, i);
      // A zero-sized buffer still gets an address of its own (one byte), as aclrtMalloc(1) would.
      if (bytes > kArenaBytes) return false;
      size_t room = (bytes == 0 ? 1 : bytes) + kAlign - 1;
      if (room > kArenaBytes - used) return false;
      spans.emplace_back(used, bytes);
      used += room - room % kAlign;
    }
  }
  auto *arena = static_cast<uint8_t *>(g_arena);
  aclError zeroed = aclrtMemset(arena, kArenaBytes, 0, used);
  ExpectReason(zeroed);
  Check(zeroed == ACL_SUCCESS);
  aclmdlDataset *sets[2] = {aclmdlCreateDataset(), aclmdlCreateDataset()};
  size_t next = 0;
  for (int side = 0; side < 2; ++side) {
    size_t count = side == 0 ? inputs : outputs;
    for (size_t i = 0; i < count; ++i, ++next) {
      aclDataBuffer *buffer = aclCreateDataBuffer(arena + spans[next].first, spans[next].second);
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
  return true;
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
  if (io <= kMaxIoBytes && work <= kMaxWorkBytes) (void)Execute(id, desc, inputs, outputs);

  Check(aclmdlDestroyDesc(desc) == ACL_SUCCESS);
  Check(aclmdlUnload(id) == ACL_SUCCESS);
  aclGetRecentErrMsg();
  return 0;
}
