#include "sim/model/weight_scan.h"

#include <limits>

#include "sim/executor/dtype.h"
#include "sim/onnx/wire_reader.h"

namespace aclsim::model {
namespace {

using onnx::ParseContext;
using onnx::WireField;
using onnx::WireReader;
using onnx::WireType;

// Field numbers of onnx.proto.
constexpr uint32_t kModelGraph = 7;
constexpr uint32_t kGraphInitializer = 5;
constexpr uint32_t kGraphSparseInitializer = 15;
constexpr uint32_t kSparseValues = 1;
constexpr uint32_t kSparseIndices = 2;
constexpr uint32_t kTensorDims = 1;
constexpr uint32_t kTensorDataType = 2;

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > kSaturated - b ? kSaturated : a + b; }
uint64_t SaturatingMul(uint64_t a, uint64_t b) { return b != 0 && a > kSaturated / b ? kSaturated : a * b; }

const char *NoNames(uint32_t) { return nullptr; }

exec::Status TensorBytes(ParseContext &ctx, const WireField &tensor, uint64_t *out) {
  WireReader reader(ctx, "TensorProto", &NoNames, tensor);
  uint64_t elements = 1;
  int32_t data_type = 0;
  while (!reader.AtEnd()) {
    WireField field;
    EXEC_RETURN_IF_ERROR(reader.Next(&field));
    if (field.number == kTensorDataType) {
      EXEC_RETURN_IF_ERROR(reader.ReadInt32(field, &data_type));
    } else if (field.number == kTensorDims && field.type == WireType::kLengthDelimited) {
      onnx::PackedVarints dims(field.data, field.size);
      int64_t count = dims.Count();
      if (count < 0) return ctx.Error("malformed packed dims of an initializer");
      for (int64_t i = 0; i < count; ++i) elements = SaturatingMul(elements, dims.Next());
    } else if (field.number == kTensorDims) {
      int64_t dim = 0;
      EXEC_RETURN_IF_ERROR(reader.ReadInt64(field, &dim));
      elements = SaturatingMul(elements, dim < 0 ? 0 : static_cast<uint64_t>(dim));
    }
  }
  *out = SaturatingMul(elements, exec::DTypeSize(static_cast<exec::DType>(data_type)));
  return exec::Status::Ok();
}

}  // namespace

exec::Status InitializerBytes(const uint8_t *bytes, size_t size, uint64_t *out) {
  ParseContext ctx("model");
  WireReader model(ctx, "ModelProto", &NoNames, bytes, size, 0);
  uint64_t total = 0;
  while (!model.AtEnd()) {
    WireField graph_field;
    EXEC_RETURN_IF_ERROR(model.Next(&graph_field));
    if (graph_field.number != kModelGraph || graph_field.type != WireType::kLengthDelimited) continue;
    WireReader graph(ctx, "GraphProto", &NoNames, graph_field);
    while (!graph.AtEnd()) {
      WireField field;
      EXEC_RETURN_IF_ERROR(graph.Next(&field));
      if (field.type != WireType::kLengthDelimited) continue;
      uint64_t bytes_of = 0;
      if (field.number == kGraphInitializer) {
        EXEC_RETURN_IF_ERROR(TensorBytes(ctx, field, &bytes_of));
        total = SaturatingAdd(total, bytes_of);
      } else if (field.number == kGraphSparseInitializer) {
        WireReader sparse(ctx, "SparseTensorProto", &NoNames, field);
        while (!sparse.AtEnd()) {
          WireField part;
          EXEC_RETURN_IF_ERROR(sparse.Next(&part));
          if ((part.number != kSparseValues && part.number != kSparseIndices) ||
              part.type != WireType::kLengthDelimited) {
            continue;
          }
          EXEC_RETURN_IF_ERROR(TensorBytes(ctx, part, &bytes_of));
          total = SaturatingAdd(total, bytes_of);
        }
      }
    }
  }
  *out = total;
  return exec::Status::Ok();
}

}  // namespace aclsim::model
