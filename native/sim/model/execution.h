// One execution of a model, shared by aclmdlExecute and aclmdlExecuteAsync.
//
//   Bind     (API thread)  checks the datasets against the model and the allocation table and
//                          resolves every buffer to the allocation that holds it; sizes known
//                          at this point are checked too. Codes per api.md, messages queued.
//   Compute  (any thread)  reads the batch, runs the graph (once, or once per sample), checks
//                          what it produced.
//   Store    (any thread)  writes the results into the output buffers, converting types.
//   Publish  (any thread)  records the output tensor descriptors in the output dataset and the
//                          model's current batch.
//
// Inputs are read and outputs written through the allocation table: a Span holds the
// allocation, so its bytes stay valid even if the caller frees it meanwhile, and every range was
// bounds-checked like a copy. Compute, Store and Publish return a Status (code and message), so
// an asynchronous execution can hand a failure to its stream.
#ifndef ASCENDCL_SIM_MODEL_EXECUTION_H_
#define ASCENDCL_SIM_MODEL_EXECUTION_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "acl/acl_abi.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"
#include "sim/memory_access.h"
#include "sim/model/host_objects.h"
#include "sim/model/model.h"

namespace aclsim::model {

enum class ExecMode { kSync, kAsync };

struct BoundBuffer {
  Span span;                    // where the bytes are (span.data: the host address of byte 0)
  uint64_t given = 0;           // bytes the caller made available (the buffer's size)
  bool auto_allocate = false;   // an output created as (NULL, 0): aclmdlExecute allocates it
  std::shared_ptr<aclDataBuffer> buffer;  // the caller's buffer object
};

struct Execution {
  std::shared_ptr<Model> model;
  std::shared_ptr<exec::ThreadPool> pool;
  std::vector<BoundBuffer> inputs;  // model order, the hidden dynamic-batch input included
  std::vector<BoundBuffer> outputs;
  // Per visible input: the dims given with aclmdlSetDatasetTensorDesc (has_dims false: none).
  std::vector<bool> has_dims;
  std::vector<exec::Shape> dims;
  std::shared_ptr<aclmdlDataset> output_dataset;
};

// Checks and resolves everything that can be known before the run: 100000 for datasets with the
// wrong number of buffers, NULL or destroyed buffers, host memory (strict) or memory of another
// device, missing dims of dynamic-shape inputs; 107000 for buffers beyond their allocation;
// 145006 for buffers smaller than needed; 145013 for a batch that is not a gear; 207000 for
// asynchronous executions that would need auto-allocated outputs or whose output sizes are
// known only at run time.
aclError BindExecution(const std::shared_ptr<Model> &model, const aclmdlDataset *input, aclmdlDataset *output,
                       ExecMode mode, Execution *out);

struct ComputedOutput {
  exec::Shape dims;                  // actual, as presented (batch included)
  std::vector<exec::Tensor> pieces;  // the graph's results, concatenated along dim 0 (one per sample when run per sample)
  uint64_t bytes = 0;                // bytes in the presented type
};
struct Computed {
  uint64_t batch = 0;  // dynamic-batch models: the batch that ran
  std::vector<ComputedOutput> outputs;
};

exec::Status Compute(const Execution &execution, Computed *out);
// Auto-allocated outputs must have been given memory (span and given) before this.
exec::Status StoreOutputs(const Execution &execution, const Computed &computed);
void Publish(const Execution &execution, const Computed &computed);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_EXECUTION_H_
