// aclsimSetModelOptions: how the next model loaded on the calling thread presents itself, as ATC
// would have compiled it (api.md ModelOptions) — dynamic-batch gears and float16/uint8 I/O types.
//
//   "dynamicBatch=1,2,4,8;inputTypes=x:float16,y:uint8;outputTypes=prob:float16"
//
// Keys are separated by ';', list items by ','; spaces around items are ignored. In
// `name:type` the type follows the last ':', so ONNX names that contain ':' ("input:0") work.
// The options are thread-local: set, then consumed (and cleared) by the next aclmdlLoad*,
// aclmdlQuerySize* or aclmdlGetDescFrom* call on the same thread, whether it succeeds or not.
#ifndef ASCENDCL_SIM_MODEL_MODEL_OPTIONS_H_
#define ASCENDCL_SIM_MODEL_MODEL_OPTIONS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/executor/dtype.h"
#include "sim/executor/status.h"

namespace aclsim::model {

struct ModelOptions {
  std::string text;            // as given, for messages
  std::vector<uint64_t> gears;  // ascending, unique, 1..ACL_MAX_BATCH_NUM of them; empty = static
  std::vector<std::pair<std::string, exec::DType>> input_types;   // float16 | uint8 | float32
  std::vector<std::pair<std::string, exec::DType>> output_types;  // float16 | uint8 | float32
  bool empty() const { return gears.empty() && input_types.empty() && output_types.empty(); }
};

// Parses the option string. Bad syntax, unknown keys, repeated keys or names, gears that are
// not ascending positive unique numbers, unknown types: kInvalidModel (145000) naming them.
exec::Status ParseModelOptions(const std::string &text, ModelOptions *out);

// The calling thread's pending options.
void SetPendingModelOptions(ModelOptions options);
void ClearPendingModelOptions();
// Returns the pending options (empty when none) and clears them.
ModelOptions TakePendingModelOptions();

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_MODEL_OPTIONS_H_
