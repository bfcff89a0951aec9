// What the ONNX reader produces: the parts of ModelProto the executor uses, decoded into plain
// structs (tensors already as executor tensors). Field names follow onnx.proto.
#ifndef ASCENDCL_SIM_ONNX_MODEL_PROTO_H_
#define ASCENDCL_SIM_ONNX_MODEL_PROTO_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/executor/op.h"
#include "sim/executor/tensor.h"

namespace aclsim::onnx {

// AttributeProto.AttributeType.
enum class AttributeType : int32_t {
  kUndefined = 0,
  kFloat = 1,
  kInt = 2,
  kString = 3,
  kTensor = 4,
  kGraph = 5,
  kFloats = 6,
  kInts = 7,
  kStrings = 8,
  kTensors = 9,
  kGraphs = 10,
  kSparseTensor = 11,
  kSparseTensors = 12,
  kTypeProto = 13,
  kTypeProtos = 14,
};
const char *AttributeTypeName(AttributeType type);

// A TensorProto. `value` holds the elements for every type the executor can run (numbers,
// bool, float16, bfloat16); string, complex and unknown element types keep only their
// declaration (data_type and dims) and an undefined `value`.
struct TensorProto {
  std::string name;
  int32_t data_type = 0;  // TensorProto.DataType as written
  std::vector<int64_t> dims;
  exec::Tensor value;
};

// TensorShapeProto.Dimension: a known value, a symbol, or nothing.
struct Dimension {
  int64_t value = -1;  // -1 unless dim_value >= 0 was given
  std::string param;   // dim_param, when given
};

// TypeProto, reduced to what the executor can use: a tensor's element type and shape. The other
// kinds are recognised so that callers can reject them by name.
struct TypeInfo {
  enum class Kind { kUnset, kTensor, kSparseTensor, kSequence, kMap, kOptional };
  Kind kind = Kind::kUnset;
  int32_t elem_type = 0;  // tensor and sparse tensor: TensorProto.DataType (0 when missing)
  bool has_shape = false;
  std::vector<Dimension> dims;
};
const char *TypeKindName(TypeInfo::Kind kind);

struct ValueInfoProto {
  std::string name;
  TypeInfo type;
};

struct GraphProto;

struct AttributeProto {
  std::string name;
  AttributeType type = AttributeType::kUndefined;  // as declared, or inferred from the field set
  exec::Attribute value;                           // everything but graphs, sparse tensors and types
  std::vector<std::shared_ptr<GraphProto>> graphs;  // kGraph (one) and kGraphs
  std::string ref_attr_name;                        // only meaningful inside functions
};

struct NodeProto {
  std::vector<std::string> inputs;  // "" marks an absent optional input
  std::vector<std::string> outputs;
  std::string name;
  std::string op_type;
  std::string domain;
  std::vector<AttributeProto> attributes;
};

struct GraphProto {
  std::string name;
  std::vector<NodeProto> nodes;
  std::vector<TensorProto> initializers;
  std::vector<ValueInfoProto> inputs;
  std::vector<ValueInfoProto> outputs;
  std::vector<ValueInfoProto> value_info;
};

struct OperatorSetId {
  std::string domain;  // "" (or "ai.onnx") is the default ONNX domain
  int64_t version = 0;
};

struct ModelProto {
  int64_t ir_version = 0;
  std::vector<OperatorSetId> opset_import;
  bool has_graph = false;
  GraphProto graph;
  size_t num_functions = 0;  // model-local functions (FunctionProto); none is executable here
};

}  // namespace aclsim::onnx

#endif  // ASCENDCL_SIM_ONNX_MODEL_PROTO_H_
