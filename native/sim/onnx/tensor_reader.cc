#include "sim/onnx/tensor_reader.h"

#include <cstring>
#include <limits>

#include "sim/onnx/external_data.h"

namespace aclsim::onnx {
namespace {

using exec::DType;

// TensorProto field numbers (onnx.proto).
enum TensorField : uint32_t {
  kDims = 1,
  kDataType = 2,
  kSegment = 3,
  kFloatData = 4,
  kInt32Data = 5,
  kStringData = 6,
  kInt64Data = 7,
  kName = 8,
  kRawData = 9,
  kDoubleData = 10,
  kUint64Data = 11,
  kDocString = 12,
  kExternalData = 13,
  kDataLocation = 14,
};
constexpr int32_t kLocationExternal = 1;

const char *TensorFieldName(uint32_t number) {
  switch (number) {
    case kDims: return "dims";
    case kDataType: return "data_type";
    case kSegment: return "segment";
    case kFloatData: return "float_data";
    case kInt32Data: return "int32_data";
    case kStringData: return "string_data";
    case kInt64Data: return "int64_data";
    case kName: return "name";
    case kRawData: return "raw_data";
    case kDoubleData: return "double_data";
    case kUint64Data: return "uint64_data";
    case kDocString: return "doc_string";
    case kExternalData: return "external_data";
    case kDataLocation: return "data_location";
  }
  return nullptr;
}

const char *EntryFieldName(uint32_t number) {
  switch (number) {
    case 1: return "key";
    case 2: return "value";
  }
  return nullptr;
}

// The typed field that holds each element type's values when raw_data is not used, and how many
// values make one element (two for complex numbers).
struct TypedStorage {
  uint32_t field = 0;  // 0: no typed field (unknown type)
  int values_per_element = 1;
};

TypedStorage StorageFor(int32_t data_type) {
  switch (data_type) {
    case 1: return {kFloatData, 1};   // float
    case 14: return {kFloatData, 2};  // complex64
    case 2: case 3: case 4: case 5: case 6: case 9: case 10: case 16:
      return {kInt32Data, 1};  // uint8 int8 uint16 int16 int32 bool float16 bfloat16: widened to int32
    case 8: return {kStringData, 1};
    case 7: return {kInt64Data, 1};
    case 11: return {kDoubleData, 1};   // double
    case 15: return {kDoubleData, 2};   // complex128
    case 12: case 13: return {kUint64Data, 1};  // uint32 uint64
  }
  return {};
}

// Wire width of one value of a typed field: 4 or 8 for fixed-width fields, 0 for varints.
int FixedWidth(uint32_t field) {
  switch (field) {
    case kFloatData: return 4;
    case kDoubleData: return 8;
  }
  return 0;
}

bool IsTypedField(uint32_t number) {
  return number == kFloatData || number == kInt32Data || number == kStringData || number == kInt64Data ||
         number == kDoubleData || number == kUint64Data;
}

// Counts the values one occurrence of a typed field carries (packed or not), validating it.
Status CountValues(const WireReader &reader, const WireField &field, int64_t *count) {
  ParseContext &ctx = reader.ctx();
  if (field.number == kStringData) {
    EXEC_RETURN_IF_ERROR(reader.Expect(field, WireType::kLengthDelimited));
    *count = 1;
    return Status::Ok();
  }
  int width = FixedWidth(field.number);
  if (field.type == WireType::kLengthDelimited) {  // packed
    if (width != 0) {
      if (field.size % static_cast<size_t>(width) != 0) {
        return ctx.Error("invalid %s: packed %s at offset %zu has %zu bytes, not a multiple of %d", ctx.what(),
                         reader.Describe(field).c_str(), field.offset, field.size, width);
      }
      *count = static_cast<int64_t>(field.size / static_cast<size_t>(width));
      return Status::Ok();
    }
    *count = PackedVarints(field.data, field.size).Count();
    if (*count < 0) {
      return ctx.Error("invalid %s: packed %s at offset %zu ends inside a varint or has one over 10 bytes",
                       ctx.what(), reader.Describe(field).c_str(), field.offset);
    }
    return Status::Ok();
  }
  WireType unpacked = width == 4 ? WireType::kFixed32 : width == 8 ? WireType::kFixed64 : WireType::kVarint;
  EXEC_RETURN_IF_ERROR(reader.Expect(field, unpacked));
  *count = 1;
  return Status::Ok();
}

// Stores typed-field value `bits` as element `index` of `out` (type `type`).
void StoreValue(DType type, uint64_t bits, int64_t index, exec::Tensor *out) {
  switch (type) {
    case DType::kFloat32: {
      uint32_t word = static_cast<uint32_t>(bits);
      std::memcpy(out->data<float>() + index, &word, 4);
      return;
    }
    case DType::kFloat64: std::memcpy(out->data<double>() + index, &bits, 8); return;
    case DType::kInt32: out->data<int32_t>()[index] = static_cast<int32_t>(static_cast<uint32_t>(bits)); return;
    case DType::kInt64: out->data<int64_t>()[index] = static_cast<int64_t>(bits); return;
    case DType::kUint32: out->data<uint32_t>()[index] = static_cast<uint32_t>(bits); return;
    case DType::kUint64: out->data<uint64_t>()[index] = bits; return;
    case DType::kInt8: out->data<int8_t>()[index] = static_cast<int8_t>(static_cast<uint8_t>(bits)); return;
    case DType::kUint8: out->data<uint8_t>()[index] = static_cast<uint8_t>(bits); return;
    case DType::kInt16: out->data<int16_t>()[index] = static_cast<int16_t>(static_cast<uint16_t>(bits)); return;
    case DType::kUint16: case DType::kFloat16: case DType::kBFloat16:
      out->data<uint16_t>()[index] = static_cast<uint16_t>(bits);
      return;
    case DType::kBool: out->data<uint8_t>()[index] = static_cast<uint32_t>(bits) != 0 ? 1 : 0; return;
    default: return;
  }
}

// Decodes one occurrence of the element type's typed field into `out` from element `*next` on.
void DecodeValues(const WireField &field, DType type, int64_t *next, exec::Tensor *out) {
  int width = FixedWidth(field.number);
  if (field.type == WireType::kLengthDelimited) {
    if (width != 0) {
      for (size_t at = 0; at + static_cast<size_t>(width) <= field.size; at += static_cast<size_t>(width)) {
        uint64_t bits = width == 4 ? LoadLe32(field.data + at) : LoadLe64(field.data + at);
        StoreValue(type, bits, (*next)++, out);
      }
      return;
    }
    PackedVarints values(field.data, field.size);
    int64_t count = values.Count();
    for (int64_t i = 0; i < count; ++i) StoreValue(type, values.Next(), (*next)++, out);
    return;
  }
  StoreValue(type, field.value, (*next)++, out);
}

Status ReadEntry(ParseContext &ctx, const WireField &field, ExternalDataEntries *entries) {
  EXEC_RETURN_IF_ERROR(ctx.Charge(sizeof(std::pair<std::string, std::string>)));
  WireReader reader(ctx, "StringStringEntryProto", EntryFieldName, field);
  std::pair<std::string, std::string> entry;
  while (!reader.AtEnd()) {
    WireField f;
    EXEC_RETURN_IF_ERROR(reader.Next(&f));
    if (f.number == 1) EXEC_RETURN_IF_ERROR(reader.ReadString(f, &entry.first));
    if (f.number == 2) EXEC_RETURN_IF_ERROR(reader.ReadString(f, &entry.second));
  }
  entries->push_back(std::move(entry));
  return Status::Ok();
}

// Product of the dims, or an error naming the bad dim. Capped well below what any buffer could
// hold so that later byte counts cannot overflow either.
Status CountElements(const ParseContext &ctx, const std::vector<int64_t> &dims, int64_t *count) {
  constexpr int64_t kMaxElements = int64_t{1} << 56;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) return ctx.Error("invalid %s: dim %zu of the tensor is %lld", ctx.what(), i, (long long)dims[i]);
    if (dims[i] == 0) {
      *count = 0;
      return Status::Ok();
    }
  }
  int64_t n = 1;
  for (int64_t dim : dims) {
    if (n > kMaxElements / dim) {
      return ctx.Error("invalid %s: the tensor's dims %s make more than 2^56 elements", ctx.what(),
                       exec::ShapeToString(dims).c_str());
    }
    n *= dim;
  }
  *count = n;
  return Status::Ok();
}

}  // namespace

DType DTypeFromOnnx(int32_t data_type) {
  if (data_type >= 1 && data_type <= 16) return static_cast<DType>(data_type);
  return DType::kUndefined;
}

Status ParseTensorProto(ParseContext &ctx, const uint8_t *data, size_t size, size_t base, const ReadOptions &options,
                        TensorProto *out) {
  WireReader reader(ctx, "TensorProto", TensorFieldName, data, size, base);
  // Pass 1: everything but the typed values, which are only counted (the element type that
  // says which typed field matters may come after them).
  int64_t typed_counts[kUint64Data + 1] = {};
  const uint8_t *raw = nullptr;
  size_t raw_size = 0;
  bool has_raw = false;
  int32_t location = 0;
  ExternalDataEntries external;
  while (!reader.AtEnd()) {
    WireField field;
    EXEC_RETURN_IF_ERROR(reader.Next(&field));
    switch (field.number) {
      case kDims: EXEC_RETURN_IF_ERROR(reader.AppendInt64s(field, &out->dims)); break;
      case kDataType: EXEC_RETURN_IF_ERROR(reader.ReadInt32(field, &out->data_type)); break;
      case kSegment: return ctx.Error("segmented tensors (TensorProto.segment) are not supported");
      case kName: EXEC_RETURN_IF_ERROR(reader.ReadString(field, &out->name)); break;
      case kRawData:
        EXEC_RETURN_IF_ERROR(reader.Expect(field, WireType::kLengthDelimited));
        raw = field.data;
        raw_size = field.size;
        has_raw = true;
        break;
      case kExternalData:
        EXEC_RETURN_IF_ERROR(reader.Expect(field, WireType::kLengthDelimited));
        EXEC_RETURN_IF_ERROR(ReadEntry(ctx, field, &external));
        break;
      case kDataLocation: EXEC_RETURN_IF_ERROR(reader.ReadInt32(field, &location)); break;
      default:
        if (IsTypedField(field.number)) {
          int64_t count = 0;
          EXEC_RETURN_IF_ERROR(CountValues(reader, field, &count));
          typed_counts[field.number] += count;
        }
        break;
    }
  }

  const char *name = out->name.empty() ? "(unnamed)" : out->name.c_str();
  if (out->data_type == 0) return ctx.Error("invalid %s: tensor '%s' has no data_type", ctx.what(), name);
  int64_t elements = 0;
  EXEC_RETURN_IF_ERROR(CountElements(ctx, out->dims, &elements));
  const TypedStorage storage = StorageFor(out->data_type);
  const DType type = DTypeFromOnnx(out->data_type);
  const bool decodable = exec::IsRunnable(type);
  const exec::Shape shape(out->dims.begin(), out->dims.end());

  if (location == kLocationExternal) {
    if (!decodable) {
      return ctx.Error("tensor '%s' of element type %d stores external data, which only numeric tensors may", name,
                       out->data_type);
    }
    return ReadExternalData(ctx, out->name, external, options.base_dir, type, shape, &out->value);
  }
  if (location != 0) return ctx.Error("invalid %s: tensor '%s' has data_location %d", ctx.what(), name, location);

  if (has_raw) {
    if (!decodable) return Status::Ok();  // declaration only: nothing we could run uses it
    const size_t expected = static_cast<size_t>(elements) * exec::DTypeSize(type);
    if (raw_size != expected) {
      return ctx.Error("invalid %s: raw_data of tensor '%s' has %zu bytes, but %s %s needs %zu", ctx.what(), name,
                       raw_size, exec::DTypeName(type), exec::ShapeToString(shape).c_str(), expected);
    }
    EXEC_RETURN_IF_ERROR(exec::Tensor::Allocate(type, shape, &out->value));
    if (expected != 0) std::memcpy(out->value.raw(), raw, expected);
    if (type == DType::kBool) {
      uint8_t *bytes = out->value.data<uint8_t>();
      for (int64_t i = 0; i < elements; ++i) bytes[i] = bytes[i] != 0 ? 1 : 0;
    }
    return Status::Ok();
  }

  if (storage.field == 0) return Status::Ok();  // an element type we do not know: declaration only
  const int64_t found = typed_counts[storage.field];
  const int64_t expected = elements * storage.values_per_element;
  if (found != expected) {
    return ctx.Error("invalid %s: tensor '%s' of shape %s needs %lld values in %s but has %lld", ctx.what(), name,
                     exec::ShapeToString(shape).c_str(), static_cast<long long>(expected),
                     TensorFieldName(storage.field), static_cast<long long>(found));
  }
  if (!decodable) return Status::Ok();
  // Pass 2: the values, now that the buffer size is known to match what the bytes hold.
  EXEC_RETURN_IF_ERROR(exec::Tensor::Allocate(type, shape, &out->value));
  WireReader values(ctx, "TensorProto", TensorFieldName, data, size, base);
  int64_t next = 0;
  while (!values.AtEnd()) {
    WireField field;
    EXEC_RETURN_IF_ERROR(values.Next(&field));
    if (field.number == storage.field) DecodeValues(field, type, &next, &out->value);
  }
  return Status::Ok();
}

Status ReadTensor(const uint8_t *bytes, size_t size, const ReadOptions &options, TensorProto *out) {
  ParseContext ctx("tensor");
  ctx.SetBudget(size);
  *out = TensorProto();
  if (bytes == nullptr && size != 0) return ctx.Error("invalid tensor: no bytes");
  return ParseTensorProto(ctx, bytes, size, 0, options, out);
}

}  // namespace aclsim::onnx
