// Reads ONNX protobuf bytes (ModelProto, or a lone TensorProto as in ONNX's test data) into the
// structs of model_proto.h. Hostile input fails with kInvalidModel and a message that says what
// was wrong and where; it never crashes, reads out of bounds, or allocates much more than the
// input (and its external data files) actually hold.
#ifndef ASCENDCL_SIM_ONNX_ONNX_READER_H_
#define ASCENDCL_SIM_ONNX_ONNX_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/executor/status.h"
#include "sim/onnx/model_proto.h"

namespace aclsim::onnx {

struct ReadOptions {
  // Directory that external-data locations are relative to (the model file's directory). Empty
  // when the bytes came from memory: a tensor with external data is then an error.
  std::string base_dir;
};

exec::Status ReadModel(const uint8_t *bytes, size_t size, const ReadOptions &options, ModelProto *out);

// A serialized TensorProto (test_data_set_N/input_K.pb).
exec::Status ReadTensor(const uint8_t *bytes, size_t size, const ReadOptions &options, TensorProto *out);

// The executor's element type for a TensorProto.DataType, kUndefined for values it has no type for.
exec::DType DTypeFromOnnx(int32_t data_type);

}  // namespace aclsim::onnx

#endif  // ASCENDCL_SIM_ONNX_ONNX_READER_H_
