// Tensor data stored outside the model (TensorProto.data_location = EXTERNAL): a file next to
// the model, named by a relative path that must stay inside the model's directory.
#ifndef ASCENDCL_SIM_ONNX_EXTERNAL_DATA_H_
#define ASCENDCL_SIM_ONNX_EXTERNAL_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/executor/tensor.h"
#include "sim/onnx/wire_reader.h"

namespace aclsim::onnx {

// TensorProto.external_data as written: key/value entries ("location", "offset", "length", ...).
using ExternalDataEntries = std::vector<std::pair<std::string, std::string>>;

// Reads tensor `tensor_name` of `type` and `shape` into `out` from the file the entries name,
// relative to `base_dir`. Fails (kInvalidModel) when base_dir is empty (a model loaded from
// memory), when the location is absolute, contains "..", or resolves (through symlinks) outside
// base_dir, when the file cannot be read, or when offset/length do not fit the file or do not
// cover exactly the tensor's bytes. Nothing is allocated before the file is known to hold them.
Status ReadExternalData(const ParseContext &ctx, const std::string &tensor_name, const ExternalDataEntries &entries,
                        const std::string &base_dir, exec::DType type, const exec::Shape &shape, exec::Tensor *out);

}  // namespace aclsim::onnx

#endif  // ASCENDCL_SIM_ONNX_EXTERNAL_DATA_H_
