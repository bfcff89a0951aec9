// ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto/TypeProto and
// OperatorSetIdProto (field numbers from onnx.proto). Unknown fields are skipped whatever their
// wire type; a known field with the wrong wire type is an error.
#include <cstring>
#include <string>

#include "sim/onnx/onnx_reader.h"
#include "sim/onnx/tensor_reader.h"
#include "sim/onnx/wire_reader.h"
#include "sim/util.h"

namespace aclsim::onnx {
namespace {

const char *ModelFieldName(uint32_t number) {
  switch (number) {
    case 1: return "ir_version";
    case 2: return "producer_name";
    case 3: return "producer_version";
    case 4: return "domain";
    case 5: return "model_version";
    case 6: return "doc_string";
    case 7: return "graph";
    case 8: return "opset_import";
    case 14: return "metadata_props";
    case 20: return "training_info";
    case 25: return "functions";
  }
  return nullptr;
}

const char *GraphFieldName(uint32_t number) {
  switch (number) {
    case 1: return "node";
    case 2: return "name";
    case 5: return "initializer";
    case 10: return "doc_string";
    case 11: return "input";
    case 12: return "output";
    case 13: return "value_info";
    case 14: return "quantization_annotation";
    case 15: return "sparse_initializer";
  }
  return nullptr;
}

const char *NodeFieldName(uint32_t number) {
  switch (number) {
    case 1: return "input";
    case 2: return "output";
    case 3: return "name";
    case 4: return "op_type";
    case 5: return "attribute";
    case 6: return "doc_string";
    case 7: return "domain";
  }
  return nullptr;
}

const char *AttributeFieldName(uint32_t number) {
  switch (number) {
    case 1: return "name";
    case 2: return "f";
    case 3: return "i";
    case 4: return "s";
    case 5: return "t";
    case 6: return "g";
    case 7: return "floats";
    case 8: return "ints";
    case 9: return "strings";
    case 10: return "tensors";
    case 11: return "graphs";
    case 13: return "doc_string";
    case 14: return "tp";
    case 15: return "type_protos";
    case 20: return "type";
    case 21: return "ref_attr_name";
    case 22: return "sparse_tensor";
    case 23: return "sparse_tensors";
  }
  return nullptr;
}

const char *ValueInfoFieldName(uint32_t number) {
  switch (number) {
    case 1: return "name";
    case 2: return "type";
    case 3: return "doc_string";
  }
  return nullptr;
}

const char *TypeFieldName(uint32_t number) {
  switch (number) {
    case 1: return "tensor_type";
    case 4: return "sequence_type";
    case 5: return "map_type";
    case 6: return "denotation";
    case 8: return "sparse_tensor_type";
    case 9: return "optional_type";
  }
  return nullptr;
}

const char *TensorTypeFieldName(uint32_t number) {
  switch (number) {
    case 1: return "elem_type";
    case 2: return "shape";
  }
  return nullptr;
}

const char *ShapeFieldName(uint32_t number) { return number == 1 ? "dim" : nullptr; }

const char *DimensionFieldName(uint32_t number) {
  switch (number) {
    case 1: return "dim_value";
    case 2: return "dim_param";
    case 3: return "denotation";
  }
  return nullptr;
}

const char *OpsetFieldName(uint32_t number) {
  switch (number) {
    case 1: return "domain";
    case 2: return "version";
  }
  return nullptr;
}

Status ParseGraph(ParseContext &ctx, const WireField &field, const ReadOptions &options, GraphProto *out);

Status ParseSubMessage(const WireReader &reader, const WireField &field) {
  return reader.Expect(field, WireType::kLengthDelimited);
}

Status ParseTensorField(ParseContext &ctx, const WireReader &reader, const WireField &field,
                        const ReadOptions &options, TensorProto *out) {
  EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, field));
  return ParseTensorProto(ctx, field.data, field.size, field.offset, options, out);
}

Status ParseOpset(ParseContext &ctx, const WireField &field, OperatorSetId *out) {
  WireReader reader(ctx, "OperatorSetIdProto", OpsetFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number == 1) EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->domain));
    if (f.number == 2) EXEC_RETURN_IF_ERROR(reader.ReadInt64(f, &out->version));
  }
  return Status::Ok();
}

Status ParseDimension(ParseContext &ctx, const WireField &field, Dimension *out) {
  WireReader reader(ctx, "TensorShapeProto.Dimension", DimensionFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number == 1) {
      int64_t value = 0;
      EXEC_RETURN_IF_ERROR(reader.ReadInt64(f, &value));
      // Some exporters write -1 for a dynamic dim: treat any negative value as unknown.
      out->value = value >= 0 ? value : -1;
      out->param.clear();
    } else if (f.number == 2) {
      EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->param));
      out->value = -1;
    }
  }
  return Status::Ok();
}

Status ParseShape(ParseContext &ctx, const WireField &field, std::vector<Dimension> *dims) {
  WireReader reader(ctx, "TensorShapeProto", ShapeFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number != 1) continue;
    EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
    EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(Dimension)));
    dims->emplace_back();
    EXEC_RETURN_IF_ERROR(ParseDimension(ctx, f, &dims->back()));
  }
  return Status::Ok();
}

// TypeProto.Tensor and TypeProto.SparseTensor share their layout.
Status ParseTensorType(ParseContext &ctx, const WireField &field, TypeInfo *out) {
  WireReader reader(ctx, "TypeProto.Tensor", TensorTypeFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number == 1) {
      EXEC_RETURN_IF_ERROR(reader.ReadInt32(f, &out->elem_type));
    } else if (f.number == 2) {
      EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
      out->has_shape = true;  // present but empty: a scalar
      out->dims.clear();
      EXEC_RETURN_IF_ERROR(ParseShape(ctx, f, &out->dims));
    }
  }
  return Status::Ok();
}

// Sequence, map and optional types are only recognised (their element types are skipped): no
// kernel of ours takes them, and the loader rejects them by name.
Status ParseType(ParseContext &ctx, const WireField &field, TypeInfo *out) {
  WireReader reader(ctx, "TypeProto", TypeFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    switch (f.number) {
      case 1:
      case 8:
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        *out = TypeInfo();
        out->kind = f.number == 1 ? TypeInfo::Kind::kTensor : TypeInfo::Kind::kSparseTensor;
        EXEC_RETURN_IF_ERROR(ParseTensorType(ctx, f, out));
        break;
      case 4:
      case 5:
      case 9:
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        *out = TypeInfo();
        out->kind = f.number == 4   ? TypeInfo::Kind::kSequence
                    : f.number == 5 ? TypeInfo::Kind::kMap
                                    : TypeInfo::Kind::kOptional;
        break;
      default: break;
    }
  }
  return Status::Ok();
}

Status ParseValueInfo(ParseContext &ctx, const WireField &field, ValueInfoProto *out) {
  WireReader reader(ctx, "ValueInfoProto", ValueInfoFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number == 1) {
      EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->name));
    } else if (f.number == 2) {
      EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
      EXEC_RETURN_IF_ERROR(ParseType(ctx, f, &out->type));
    }
  }
  return Status::Ok();
}

exec::Attribute::Kind KindOf(AttributeType type) {
  using Kind = exec::Attribute::Kind;
  switch (type) {
    case AttributeType::kFloat: return Kind::kFloat;
    case AttributeType::kInt: return Kind::kInt;
    case AttributeType::kString: return Kind::kString;
    case AttributeType::kTensor: return Kind::kTensor;
    case AttributeType::kGraph: return Kind::kGraph;
    case AttributeType::kFloats: return Kind::kFloats;
    case AttributeType::kInts: return Kind::kInts;
    case AttributeType::kStrings: return Kind::kStrings;
    case AttributeType::kTensors: return Kind::kTensors;
    case AttributeType::kGraphs: return Kind::kGraphs;
    default: return Kind::kOther;
  }
}

// The attribute type implied by a value field, for old models that do not write `type`.
AttributeType TypeOfField(uint32_t number) {
  switch (number) {
    case 2: return AttributeType::kFloat;
    case 3: return AttributeType::kInt;
    case 4: return AttributeType::kString;
    case 5: return AttributeType::kTensor;
    case 6: return AttributeType::kGraph;
    case 7: return AttributeType::kFloats;
    case 8: return AttributeType::kInts;
    case 9: return AttributeType::kStrings;
    case 10: return AttributeType::kTensors;
    case 11: return AttributeType::kGraphs;
    case 14: return AttributeType::kTypeProto;
    case 15: return AttributeType::kTypeProtos;
    case 22: return AttributeType::kSparseTensor;
    case 23: return AttributeType::kSparseTensors;
  }
  return AttributeType::kUndefined;
}

Status ParseAttribute(ParseContext &ctx, const WireField &field, const ReadOptions &options, AttributeProto *out) {
  WireReader reader(ctx, "AttributeProto", AttributeFieldName, field);
  exec::Attribute &value = out->value;
  int32_t declared = 0;
  AttributeType first_set = AttributeType::kUndefined;
  size_t tensors = 0;
  size_t graphs = 0;
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    AttributeType implied = TypeOfField(f.number);
    if (implied != AttributeType::kUndefined && first_set == AttributeType::kUndefined) first_set = implied;
    switch (f.number) {
      case 1: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->name)); break;
      case 20: EXEC_RETURN_IF_ERROR(reader.ReadInt32(f, &declared)); break;
      case 21: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->ref_attr_name)); break;
      case 2: EXEC_RETURN_IF_ERROR(reader.ReadFloat(f, &value.f)); break;
      case 3: EXEC_RETURN_IF_ERROR(reader.ReadInt64(f, &value.i)); break;
      case 4: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &value.s)); break;
      case 5: {
        PathScope scope(ctx, "t");
        TensorProto tensor;
        EXEC_RETURN_IF_ERROR(ParseTensorField(ctx, reader, f, options, &tensor));
        value.t = std::move(tensor.value);
        break;
      }
      case 10: {
        PathScope scope(ctx, "tensors", tensors++);
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(TensorProto)));
        TensorProto tensor;
        EXEC_RETURN_IF_ERROR(ParseTensorField(ctx, reader, f, options, &tensor));
        value.tensors.push_back(std::move(tensor.value));
        break;
      }
      case 6:
      case 11: {
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        PathScope scope(ctx, f.number == 6 ? "g" : "graphs", f.number == 6 ? ParseContext::kNoIndex : graphs);
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(GraphProto)));
        auto graph = std::make_shared<GraphProto>();
        EXEC_RETURN_IF_ERROR(ParseGraph(ctx, f, options, graph.get()));
        if (f.number == 6) out->graphs.clear();  // a singular field: the last one wins
        if (f.number == 11) ++graphs;
        out->graphs.push_back(std::move(graph));
        break;
      }
      case 7: EXEC_RETURN_IF_ERROR(reader.AppendFloats(f, &value.floats)); break;
      case 8: EXEC_RETURN_IF_ERROR(reader.AppendInt64s(f, &value.ints)); break;
      case 9: {
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(std::string)));
        std::string s;
        EXEC_RETURN_IF_ERROR(reader.ReadString(f, &s));
        value.strings.push_back(std::move(s));
        break;
      }
      case 14: case 15: case 22: case 23:
        // Types and sparse tensors: no kernel of ours reads them; skipped, the kind stays kOther.
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        break;
      default: break;
    }
  }
  out->type = declared != 0 ? static_cast<AttributeType>(declared) : first_set;
  value.kind = KindOf(out->type);
  return Status::Ok();
}

Status ParseNode(ParseContext &ctx, const WireField &field, const ReadOptions &options, NodeProto *out) {
  WireReader reader(ctx, "NodeProto", NodeFieldName, field);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    switch (f.number) {
      case 1:
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(std::string)));
        EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->inputs.emplace_back()));
        break;
      case 2:
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(std::string)));
        EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->outputs.emplace_back()));
        break;
      case 3: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->name)); break;
      case 4: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->op_type)); break;
      case 7: EXEC_RETURN_IF_ERROR(reader.ReadString(f, &out->domain)); break;
      case 5: {
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        PathScope scope(ctx, "attribute", out->attributes.size());
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(AttributeProto)));
        EXEC_RETURN_IF_ERROR(ParseAttribute(ctx, f, options, &out->attributes.emplace_back()));
        break;
      }
      default: break;
    }
  }
  return Status::Ok();
}

Status ParseValueInfoList(ParseContext &ctx, const WireReader &reader, const WireField &f, const char *list,
                          std::vector<ValueInfoProto> *out) {
  EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
  PathScope scope(ctx, list, out->size());
  EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(ValueInfoProto)));
  return ParseValueInfo(ctx, f, &out->emplace_back());
}

Status ParseGraph(ParseContext &ctx, const WireField &field, const ReadOptions &options, GraphProto *out) {
  EXEC_RETURN_IF_ERROR(ctx.Enter("graphs"));
  WireReader reader(ctx, "GraphProto", GraphFieldName, field);
  Status status;
  while (status.ok() && !reader.AtEnd()) {
    WireField f;
    status = reader.Next(&f);
    if (!status.ok()) break;
    switch (f.number) {
      case 1: {
        status = ParseSubMessage(reader, f);
        if (!status.ok()) break;
        PathScope scope(ctx, "node", out->nodes.size());
        status = ctx.Charge(sizeof(NodeProto));
        if (!status.ok()) break;
        status = ParseNode(ctx, f, options, &out->nodes.emplace_back());
        break;
      }
      case 2: status = reader.ReadString(f, &out->name); break;
      case 5: {
        PathScope scope(ctx, "initializer", out->initializers.size());
        status = ctx.Charge(sizeof(TensorProto));
        if (!status.ok()) break;
        status = ParseTensorField(ctx, reader, f, options, &out->initializers.emplace_back());
        break;
      }
      case 11: status = ParseValueInfoList(ctx, reader, f, "input", &out->inputs); break;
      case 12: status = ParseValueInfoList(ctx, reader, f, "output", &out->outputs); break;
      case 13: status = ParseValueInfoList(ctx, reader, f, "value_info", &out->value_info); break;
      case 15:
        status = ctx.Error("graph '%s' has a sparse_initializer, which the simulator does not support",
                           out->name.c_str());
        break;
      default: break;
    }
  }
  ctx.Leave();
  return status;
}

}  // namespace

const char *AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kUndefined: return "UNDEFINED";
    case AttributeType::kFloat: return "FLOAT";
    case AttributeType::kInt: return "INT";
    case AttributeType::kString: return "STRING";
    case AttributeType::kTensor: return "TENSOR";
    case AttributeType::kGraph: return "GRAPH";
    case AttributeType::kFloats: return "FLOATS";
    case AttributeType::kInts: return "INTS";
    case AttributeType::kStrings: return "STRINGS";
    case AttributeType::kTensors: return "TENSORS";
    case AttributeType::kGraphs: return "GRAPHS";
    case AttributeType::kSparseTensor: return "SPARSE_TENSOR";
    case AttributeType::kSparseTensors: return "SPARSE_TENSORS";
    case AttributeType::kTypeProto: return "TYPE_PROTO";
    case AttributeType::kTypeProtos: return "TYPE_PROTOS";
  }
  return "unknown";
}

const char *TypeKindName(TypeInfo::Kind kind) {
  switch (kind) {
    case TypeInfo::Kind::kUnset: return "no type";
    case TypeInfo::Kind::kTensor: return "tensor";
    case TypeInfo::Kind::kSparseTensor: return "sparse tensor";
    case TypeInfo::Kind::kSequence: return "sequence";
    case TypeInfo::Kind::kMap: return "map";
    case TypeInfo::Kind::kOptional: return "optional";
  }
  return "unknown";
}

Status ReadModel(const uint8_t *bytes, size_t size, const ReadOptions &options, ModelProto *out) {
  ParseContext ctx("model");
  *out = ModelProto();
  if (bytes == nullptr || size == 0) return ctx.Error("empty model (0 bytes)");
  ctx.SetBudget(size);
  WireReader reader(ctx, "ModelProto", ModelFieldName, bytes, size, 0);
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    switch (f.number) {
      case 1: EXEC_RETURN_IF_ERROR(reader.ReadInt64(f, &out->ir_version)); break;
      case 8: {
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        PathScope scope(ctx, "opset_import", out->opset_import.size());
        EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(OperatorSetId)));
        EXEC_RETURN_IF_ERROR(ParseOpset(ctx, f, &out->opset_import.emplace_back()));
        break;
      }
      case 7: {
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        PathScope scope(ctx, "graph");
        // A repeated singular message merges into the first, as protobuf does.
        EXEC_RETURN_IF_ERROR(ParseGraph(ctx, f, options, &out->graph));
        out->has_graph = true;
        break;
      }
      case 25:
        EXEC_RETURN_IF_ERROR(ParseSubMessage(reader, f));
        ++out->num_functions;
        break;
      default: break;
    }
  }
  return Status::Ok();
}

}  // namespace aclsim::onnx
