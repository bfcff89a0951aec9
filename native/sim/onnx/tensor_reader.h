// TensorProto: dims, element type, and the elements from raw_data, from whichever typed field
// the element type uses (packed or not), or from an external data file.
#ifndef ASCENDCL_SIM_ONNX_TENSOR_READER_H_
#define ASCENDCL_SIM_ONNX_TENSOR_READER_H_

#include "sim/onnx/model_proto.h"
#include "sim/onnx/onnx_reader.h"
#include "sim/onnx/wire_reader.h"

namespace aclsim::onnx {

// Parses the TensorProto in `data`/`size` (at absolute offset `base` of the input).
Status ParseTensorProto(ParseContext &ctx, const uint8_t *data, size_t size, size_t base, const ReadOptions &options,
                        TensorProto *out);

}  // namespace aclsim::onnx

#endif  // ASCENDCL_SIM_ONNX_TENSOR_READER_H_
