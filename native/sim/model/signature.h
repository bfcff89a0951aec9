// What a loaded model looks like to aclmdl* callers: its inputs and outputs as an ATC-compiled
// model would present them, built from the ONNX graph's inputs and outputs plus the model
// options (dynamic-batch gears, float16/uint8 I/O types).
//
// Dynamic batch is emulated as the hardware presents it: an extra last input named
// ascend_mbatch_shape_data (ACL_INT64, dims [1], 8 bytes: the batch as one uint64, which is what
// aclmdlSetDynamicBatchSize writes into a buffer of 8 bytes or more), every input's and output's
// first dim shown as -1, and sizes given for the largest gear. The graph's first input dims must
// be symbolic or 1: when all are symbolic the graph runs once with the batch, otherwise once
// per sample.
#ifndef ASCENDCL_SIM_MODEL_SIGNATURE_H_
#define ASCENDCL_SIM_MODEL_SIGNATURE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/executor/executable.h"
#include "sim/model/io_conversion.h"
#include "sim/model/model_options.h"

namespace aclsim::model {

// One input or output.
struct IoSpec {
  std::string name;
  exec::DType type = exec::DType::kUndefined;        // as presented (descriptors, buffers)
  exec::DType graph_type = exec::DType::kUndefined;  // what the graph computes with
  Conversion conversion = Conversion::kNone;
  exec::Shape graph_dims;  // as the graph declares them (-1: known only at run time; empty: a
                           // scalar, or an unknown rank)
  exec::Shape dims;        // as presented: -1 for the batch dim of a dynamic-batch model too, and
                           // [-2] (GE's unknown-rank marker) when the graph does not declare a rank
  uint64_t size = 0;       // bytes at the largest gear; 0 when dims are known only at run time
  int format = 0;          // ACL_FORMAT_NCHW for 4-D tensors, ACL_FORMAT_ND otherwise
  bool hidden = false;     // the dynamic-batch input
};

enum class BatchMode {
  kStatic,     // no gears
  kBatched,    // gears; the graph's batch dims are symbolic: one run with the batch
  kPerSample,  // gears; some graph batch dim is fixed at 1: one run per sample
};

class ModelSignature {
 public:
  std::vector<IoSpec> inputs;  // model order; the hidden dynamic-batch input is last
  std::vector<IoSpec> outputs;
  std::vector<uint64_t> gears;  // ascending; empty for a static model
  int hidden_input = -1;        // index of ascend_mbatch_shape_data, or -1
  BatchMode batch_mode = BatchMode::kStatic;
  // Dynamic batch: output dims per gear (kBatched: [gear index][output]) or for one sample
  // (kPerSample: [0][output]).
  std::vector<std::vector<exec::Shape>> gear_output_dims;
  // Some visible input has a -1 dim that is not a gear-managed batch: callers give actual dims
  // with aclmdlSetDatasetTensorDesc.
  bool dynamic_shapes = false;
  uint64_t weight_bytes = 0;  // aclmdlQuerySize
  uint64_t work_bytes = 0;

  size_t visible_inputs() const { return hidden_input >= 0 ? inputs.size() - 1 : inputs.size(); }
  uint64_t max_gear() const { return gears.empty() ? 0 : gears.back(); }
  bool IsGear(uint64_t batch) const;
  std::string GearList() const;  // "1, 2, 4, 8"
  // Output dims at `batch` for a dynamic-batch model (entries may be -1 when they depend on
  // input values).
  exec::Shape OutputDimsAtBatch(size_t output, uint64_t batch) const;
};

// Builds the signature of `graph` under `options`. Unknown names, unsupported conversions and
// graphs that cannot take the gears fail with kInvalidModel (145000) saying why.
exec::Status BuildSignature(const exec::Executable &graph, const ModelOptions &options, ModelSignature *out);

// Element count × element size, or false on a negative dim or overflow.
bool ShapeBytes(const exec::Shape &dims, exec::DType type, uint64_t *out);

// An input's or output's dims as presented: [-2] for an unknown rank.
exec::Shape PresentedDims(const exec::IoInfo &io);
constexpr int64_t kUnknownRankDim = -2;

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_SIGNATURE_H_
