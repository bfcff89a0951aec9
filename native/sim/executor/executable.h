// A loaded ONNX graph, ready to run: what the model layer (aclmdl*) uses. Load parses and
// checks the model, builds the graph, picks a kernel for every node (failing with a message
// that names the node, the op and its opset when there is none), folds constants and infers
// every value's type and shape. Run executes it on the given inputs.
#ifndef ASCENDCL_SIM_EXECUTOR_EXECUTABLE_H_
#define ASCENDCL_SIM_EXECUTOR_EXECUTABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/executor/status.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace aclsim::exec {

// A graph input or output: its name, element type and dims (-1 for a dim only known at run
// time, e.g. a symbolic batch).
struct IoInfo {
  std::string name;
  DType dtype = DType::kUndefined;
  Shape dims;
  bool rank_known = true;  // false when the model does not declare even the rank (dims is then empty)
};

struct LoadOptions {
  // Directory that external-data files are relative to (the model file's directory); empty
  // for a model loaded from memory, in which case external data is an error.
  std::string base_dir;
};

class Executable {
 public:
  // Parse and prepare `size` bytes of an ONNX ModelProto. Malformed, truncated or hostile bytes
  // fail with kInvalidModel and never crash or allocate beyond what the input justifies.
  static Status Load(const uint8_t *bytes, size_t size, const LoadOptions &options, std::unique_ptr<Executable> *out);
  virtual ~Executable() = default;

  virtual const std::vector<IoInfo> &inputs() const = 0;
  virtual const std::vector<IoInfo> &outputs() const = 0;

  // Output types and dims for inputs of the given shapes, without running (dims that depend on
  // input values stay -1).
  virtual Status InferOutputs(const std::vector<Shape> &input_shapes, std::vector<IoInfo> *outputs) const = 0;

  // Run on `inputs` (one per graph input, in order; their types must match and their shapes fit
  // the declared dims). `outputs` receives one owned tensor per graph output. Concurrent calls
  // are allowed.
  virtual Status Run(const std::vector<Tensor> &inputs, std::vector<Tensor> *outputs, ThreadPool &pool) const = 0;

  // For aclmdlQuerySize's workSize (added by the model layer): an upper bound of the bytes of the
  // graph's intermediate values — neither inputs, outputs nor constants — for inputs of the given
  // shapes (dims of -1 counted as unknown). 0 when the executor cannot tell, which is the default;
  // the model layer then estimates from the model's inputs and outputs.
  virtual uint64_t ActivationBytes(const std::vector<Shape> &input_shapes) const { return 0; }
};

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_EXECUTABLE_H_
