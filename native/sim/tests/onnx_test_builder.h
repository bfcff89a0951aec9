// Writes ONNX protobuf bytes for the executor's tests: a tiny wire-format encoder and helpers
// for the ONNX messages (field numbers from onnx.proto), so that tests can build exactly the
// model they need — including encodings exporters rarely produce and outright hostile bytes —
// without Python at test time.
#ifndef ASCENDCL_SIM_TESTS_ONNX_TEST_BUILDER_H_
#define ASCENDCL_SIM_TESTS_ONNX_TEST_BUILDER_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/executor/executable.h"
#include "sim/executor/tensor.h"
#include "sim/executor/thread_pool.h"

namespace onnxtest {

using aclsim::exec::DType;
using aclsim::exec::Tensor;

class Proto {
 public:
  Proto &Varint(uint32_t field, uint64_t value) {
    Key(field, 0);
    PutVarint(value);
    return *this;
  }
  Proto &Fixed32(uint32_t field, uint32_t value) {
    Key(field, 5);
    bytes_.append(reinterpret_cast<const char *>(&value), 4);
    return *this;
  }
  Proto &Fixed64(uint32_t field, uint64_t value) {
    Key(field, 1);
    bytes_.append(reinterpret_cast<const char *>(&value), 8);
    return *this;
  }
  Proto &Float(uint32_t field, float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return Fixed32(field, bits);
  }
  Proto &Bytes(uint32_t field, std::string_view data) {
    Key(field, 2);
    PutVarint(data.size());
    bytes_.append(data);
    return *this;
  }
  Proto &Message(uint32_t field, const Proto &message) { return Bytes(field, message.bytes()); }
  Proto &PackedVarints(uint32_t field, const std::vector<int64_t> &values) {
    Proto packed;
    for (int64_t v : values) packed.PutVarint(static_cast<uint64_t>(v));
    return Bytes(field, packed.bytes());
  }
  Proto &PackedFloats(uint32_t field, const std::vector<float> &values) {
    return Bytes(field, std::string_view(reinterpret_cast<const char *>(values.data()), values.size() * 4));
  }
  Proto &Raw(std::string_view data) {
    bytes_.append(data);
    return *this;
  }
  const std::string &bytes() const { return bytes_; }

  void PutVarint(uint64_t value) {
    while (value >= 0x80) {
      bytes_.push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    bytes_.push_back(static_cast<char>(value));
  }

 private:
  void Key(uint32_t field, int wire_type) { PutVarint((static_cast<uint64_t>(field) << 3) | wire_type); }
  std::string bytes_;
};

// TensorProto with raw_data.
inline Proto TensorRaw(const std::string &name, DType type, const std::vector<int64_t> &dims, std::string_view raw) {
  Proto t;
  for (int64_t d : dims) t.Varint(1, static_cast<uint64_t>(d));
  t.Varint(2, static_cast<uint64_t>(type));
  if (!name.empty()) t.Bytes(8, name);
  t.Bytes(9, raw);
  return t;
}

template <typename T>
Proto TensorOf(const std::string &name, DType type, const std::vector<int64_t> &dims, const std::vector<T> &values) {
  return TensorRaw(name, type, dims,
                   std::string_view(reinterpret_cast<const char *>(values.data()), values.size() * sizeof(T)));
}

inline Proto FloatTensor(const std::string &name, const std::vector<int64_t> &dims, const std::vector<float> &values) {
  return TensorOf(name, DType::kFloat32, dims, values);
}
inline Proto Int64Tensor(const std::string &name, const std::vector<int64_t> &dims,
                         const std::vector<int64_t> &values) {
  return TensorOf(name, DType::kInt64, dims, values);
}

// ValueInfoProto of a tensor: dims >= 0 are dim_value, -1 a dim_param ("N"), -2 a dim with neither.
inline Proto TensorValueInfo(const std::string &name, DType type, const std::vector<int64_t> &dims,
                             bool has_shape = true) {
  Proto shape;
  for (int64_t d : dims) {
    Proto dim;
    if (d >= 0) dim.Varint(1, static_cast<uint64_t>(d));
    if (d == -1) dim.Bytes(2, "N");
    shape.Message(1, dim);
  }
  Proto tensor_type;
  tensor_type.Varint(1, static_cast<uint64_t>(type));
  if (has_shape) tensor_type.Message(2, shape);
  Proto type_proto;
  type_proto.Message(1, tensor_type);
  Proto info;
  info.Bytes(1, name);
  info.Message(2, type_proto);
  return info;
}

// AttributeProto helpers (type set, as current exporters write).
inline Proto AttrInt(const std::string &name, int64_t v) {
  return Proto().Bytes(1, name).Varint(20, 2).Varint(3, static_cast<uint64_t>(v));
}
inline Proto AttrFloat(const std::string &name, float v) { return Proto().Bytes(1, name).Varint(20, 1).Float(2, v); }
inline Proto AttrString(const std::string &name, const std::string &v) {
  return Proto().Bytes(1, name).Varint(20, 3).Bytes(4, v);
}
inline Proto AttrInts(const std::string &name, const std::vector<int64_t> &v) {
  Proto a;
  a.Bytes(1, name).Varint(20, 7);
  for (int64_t x : v) a.Varint(8, static_cast<uint64_t>(x));
  return a;
}
inline Proto AttrFloats(const std::string &name, const std::vector<float> &v) {
  Proto a;
  a.Bytes(1, name).Varint(20, 6);
  for (float x : v) a.Float(7, x);
  return a;
}
inline Proto AttrTensor(const std::string &name, const Proto &tensor) {
  return Proto().Bytes(1, name).Varint(20, 4).Message(5, tensor);
}

inline Proto Node(const std::string &op, const std::vector<std::string> &inputs,
                  const std::vector<std::string> &outputs, const std::vector<Proto> &attributes = {},
                  const std::string &name = "", const std::string &domain = "") {
  Proto n;
  for (const std::string &i : inputs) n.Bytes(1, i);
  for (const std::string &o : outputs) n.Bytes(2, o);
  if (!name.empty()) n.Bytes(3, name);
  n.Bytes(4, op);
  for (const Proto &a : attributes) n.Message(5, a);
  if (!domain.empty()) n.Bytes(7, domain);
  return n;
}

struct ModelBuilder {
  int64_t opset = 13;
  std::vector<Proto> nodes, inputs, outputs, initializers, value_info;

  ModelBuilder &AddNode(const Proto &node) {
    nodes.push_back(node);
    return *this;
  }
  ModelBuilder &Input(const std::string &name, DType type, const std::vector<int64_t> &dims) {
    inputs.push_back(TensorValueInfo(name, type, dims));
    return *this;
  }
  ModelBuilder &Output(const std::string &name, DType type, const std::vector<int64_t> &dims) {
    outputs.push_back(TensorValueInfo(name, type, dims));
    return *this;
  }
  // An output declared without a type (the executor infers it).
  ModelBuilder &UntypedOutput(const std::string &name) {
    outputs.push_back(Proto().Bytes(1, name));
    return *this;
  }
  ModelBuilder &Initializer(const Proto &tensor) {
    initializers.push_back(tensor);
    return *this;
  }

  std::string Graph() const {
    Proto g;
    for (const Proto &n : nodes) g.Message(1, n);
    g.Bytes(2, "test_graph");
    for (const Proto &t : initializers) g.Message(5, t);
    for (const Proto &i : inputs) g.Message(11, i);
    for (const Proto &o : outputs) g.Message(12, o);
    for (const Proto &v : value_info) g.Message(13, v);
    return g.bytes();
  }
  std::string Build() const {
    Proto m;
    m.Varint(1, 8);
    m.Bytes(2, "onnxtest");
    m.Message(8, Proto().Bytes(1, "").Varint(2, static_cast<uint64_t>(opset)));
    m.Bytes(7, Graph());
    return m.bytes();
  }
};

inline aclsim::exec::Status Load(const std::string &bytes, std::unique_ptr<aclsim::exec::Executable> *out,
                                 const std::string &base_dir = "") {
  aclsim::exec::LoadOptions options;
  options.base_dir = base_dir;
  return aclsim::exec::Executable::Load(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size(), options, out);
}

template <typename T>
Tensor MakeTensor(DType type, const std::vector<int64_t> &shape, const std::vector<T> &values) {
  Tensor t(type, shape);
  if (!values.empty()) std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
  return t;
}

inline Tensor Floats(const std::vector<int64_t> &shape, const std::vector<float> &values) {
  return MakeTensor(DType::kFloat32, shape, values);
}
inline Tensor Int64s(const std::vector<int64_t> &shape, const std::vector<int64_t> &values) {
  return MakeTensor(DType::kInt64, shape, values);
}

template <typename T>
std::vector<T> Values(const Tensor &t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.elements());
}

// Runs one node of `op` on `inputs` (graph inputs named in0, in1, ...; a default-constructed
// Tensor leaves that input slot empty) with `outputs` outputs, and returns the load or run status.
// With `constant_inputs` the inputs are initializers instead, so the node is folded at load.
inline aclsim::exec::Status RunOp(const std::string &op, int64_t opset, const std::vector<Proto> &attributes,
                                  const std::vector<Tensor> &inputs, size_t outputs, std::vector<Tensor> *results,
                                  bool constant_inputs = false, int threads = 3) {
  ModelBuilder b;
  b.opset = opset;
  std::vector<std::string> input_names, output_names;
  std::vector<Tensor> fed;
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) {
      input_names.push_back("");
      continue;
    }
    const std::string name = "in" + std::to_string(i);
    input_names.push_back(name);
    if (constant_inputs) {
      b.Initializer(TensorRaw(name, inputs[i].dtype(), inputs[i].shape(),
                              std::string_view(static_cast<const char *>(inputs[i].raw()), inputs[i].bytes())));
    } else {
      b.Input(name, inputs[i].dtype(), inputs[i].shape());
      fed.push_back(inputs[i]);
    }
  }
  for (size_t k = 0; k < outputs; ++k) {
    output_names.push_back("out" + std::to_string(k));
    b.UntypedOutput(output_names.back());
  }
  b.AddNode(Node(op, input_names, output_names, attributes, "op"));
  std::unique_ptr<aclsim::exec::Executable> e;
  aclsim::exec::Status s = Load(b.Build(), &e);
  if (!s.ok()) return s;
  aclsim::exec::ThreadPool pool(threads);
  return e->Run(fed, results, pool);
}

}  // namespace onnxtest

#endif  // ASCENDCL_SIM_TESTS_ONNX_TEST_BUILDER_H_
