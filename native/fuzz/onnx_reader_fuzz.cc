// libFuzzer target for the ONNX reader (sim/onnx): arbitrary bytes as a ModelProto and as a lone
// TensorProto. The reader's contract (onnx_reader.h) is that hostile input fails with a status,
// never a crash, an out-of-bounds read or an allocation much larger than the input — ASan, UBSan
// and libFuzzer's -rss_limit_mb / -malloc_limit_mb check exactly that.
#include <cstddef>
#include <cstdint>

#include "sim/onnx/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  namespace onnx = aclsim::onnx;
  onnx::ReadOptions options;  // from memory: external data must be refused, not looked up
  {
    onnx::ModelProto model;
    aclsim::exec::Status status = onnx::ReadModel(data, size, options, &model);
    if (!status.ok() && status.message().empty()) __builtin_trap();  // a failure must say why
  }
  {
    onnx::TensorProto tensor;
    aclsim::exec::Status status = onnx::ReadTensor(data, size, options, &tensor);
    if (!status.ok() && status.message().empty()) __builtin_trap();
  }
  return 0;
}
