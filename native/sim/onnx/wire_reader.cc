#include "sim/onnx/wire_reader.h"

#include <cstdarg>
#include <cstring>

#include "sim/util.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the ONNX reader assumes a little-endian host");

namespace aclsim::onnx {
namespace {

constexpr int kMaxVarintBytes = 10;
constexpr uint32_t kMaxFieldNumber = (1u << 29) - 1;

}  // namespace

const char *WireTypeName(WireType type) {
  switch (type) {
    case WireType::kVarint: return "varint";
    case WireType::kFixed64: return "fixed64";
    case WireType::kLengthDelimited: return "length-delimited";
    case WireType::kStartGroup: return "start-group";
    case WireType::kEndGroup: return "end-group";
    case WireType::kFixed32: return "fixed32";
  }
  return "unknown";
}

uint32_t LoadLe32(const uint8_t *p) {
  uint32_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

uint64_t LoadLe64(const uint8_t *p) {
  uint64_t value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

std::string ParseContext::Path() const {
  std::string out;
  for (const PathElement &element : path_) {
    if (!out.empty()) out += '.';
    out += element.name;
    if (element.index != kNoIndex) out += "[" + std::to_string(element.index) + "]";
  }
  return out;
}

Status ParseContext::Error(const char *fmt, ...) const {
  va_list args;
  va_start(args, fmt);
  std::string message = VSprintf(fmt, args);
  va_end(args);
  if (!path_.empty()) message += " (at " + Path() + ")";
  return Status::Error(exec::kInvalidModel, message);
}

Status ParseContext::Truncated(const char *fmt, ...) const {
  va_list args;
  va_start(args, fmt);
  std::string message = std::string("truncated ") + what_ + ": " + VSprintf(fmt, args);
  va_end(args);
  if (!path_.empty()) message += " (at " + Path() + ")";
  return Status::Error(exec::kInvalidModel, message);
}

Status ParseContext::Enter(const char *message) {
  if (depth_ >= kMaxDepth) {
    return Error("%s nested more than %d levels deep", message, kMaxDepth);
  }
  ++depth_;
  return Status::Ok();
}

void ParseContext::SetBudget(size_t input_size) {
  constexpr size_t kRatio = 64;
  constexpr size_t kFloor = size_t{1} << 20;
  input_size_ = input_size;
  budget_ = input_size > (SIZE_MAX - kFloor) / kRatio ? SIZE_MAX : input_size * kRatio + kFloor;
}

Status ParseContext::Charge(size_t bytes) {
  if (bytes <= budget_) {
    budget_ -= bytes;
    return Status::Ok();
  }
  budget_ = 0;
  return Error("invalid %s: its %zu bytes describe a structure that would need over 64 times as much memory "
               "(corrupt or hostile input)", what_, input_size_);
}

Status WireReader::ReadVarint(uint64_t *out, size_t *at) {
  uint64_t value = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (pos_ >= size_) {
      return ctx_.Truncated("a varint of %s at offset %zu runs past the end", message_, base_ + *at);
    }
    uint8_t byte = data_[pos_++];
    if (i == kMaxVarintBytes - 1 && byte > 1) {
      return ctx_.Error("invalid %s: a varint of %s at offset %zu does not fit in 64 bits", ctx_.what(), message_,
                        base_ + *at);
    }
    value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *out = value;
      return Status::Ok();
    }
  }
  return ctx_.Error("invalid %s: a varint of %s at offset %zu is longer than %d bytes", ctx_.what(), message_,
                    base_ + *at, kMaxVarintBytes);
}

std::string WireReader::Describe(const WireField &field) const {
  const char *name = namer_ != nullptr ? namer_(field.number) : nullptr;
  if (name != nullptr) return Sprintf("field %u (%s) of %s", field.number, name, message_);
  return Sprintf("field %u of %s", field.number, message_);
}

Status WireReader::Next(WireField *field) {
  size_t key_at = pos_;
  uint64_t key = 0;
  EXEC_RETURN_IF_ERROR(ReadVarint(&key, &key_at));
  uint64_t number = key >> 3;
  if (number == 0 || number > kMaxFieldNumber) {
    return ctx_.Error("invalid %s: field number %llu of %s at offset %zu is out of range", ctx_.what(),
                      static_cast<unsigned long long>(number), message_, base_ + key_at);
  }
  field->number = static_cast<uint32_t>(number);
  field->type = static_cast<WireType>(key & 7);
  field->data = nullptr;
  field->size = 0;
  field->value = 0;
  field->offset = base_ + pos_;
  field->key_offset = base_ + key_at;
  size_t remaining = size_ - pos_;
  switch (field->type) {
    case WireType::kVarint: {
      size_t at = pos_;
      return ReadVarint(&field->value, &at);
    }
    case WireType::kFixed64:
      if (remaining < 8) {
        return ctx_.Truncated("%s needs 8 bytes at offset %zu but only %zu remain", Describe(*field).c_str(),
                              field->offset, remaining);
      }
      field->value = LoadLe64(data_ + pos_);
      pos_ += 8;
      return Status::Ok();
    case WireType::kFixed32:
      if (remaining < 4) {
        return ctx_.Truncated("%s needs 4 bytes at offset %zu but only %zu remain", Describe(*field).c_str(),
                              field->offset, remaining);
      }
      field->value = LoadLe32(data_ + pos_);
      pos_ += 4;
      return Status::Ok();
    case WireType::kLengthDelimited: {
      uint64_t length = 0;
      size_t at = pos_;
      EXEC_RETURN_IF_ERROR(ReadVarint(&length, &at));
      field->offset = base_ + pos_;
      remaining = size_ - pos_;
      if (length > remaining) {
        return ctx_.Truncated("%s claims %llu bytes at offset %zu but only %zu remain", Describe(*field).c_str(),
                              static_cast<unsigned long long>(length), field->offset, remaining);
      }
      field->data = data_ + pos_;
      field->size = static_cast<size_t>(length);
      pos_ += field->size;
      return Status::Ok();
    }
    case WireType::kStartGroup:
    case WireType::kEndGroup:
      break;
  }
  return ctx_.Error("invalid %s: %s at offset %zu has wire type %d, which ONNX never uses", ctx_.what(),
                    Describe(*field).c_str(), base_ + key_at, static_cast<int>(key & 7));
}

Status WireReader::Expect(const WireField &field, WireType expected) const {
  if (field.type == expected) return Status::Ok();
  return ctx_.Error("invalid %s: %s at offset %zu is %s, expected %s", ctx_.what(), Describe(field).c_str(),
                    field.key_offset, WireTypeName(field.type), WireTypeName(expected));
}

Status WireReader::ReadInt64(const WireField &field, int64_t *out) const {
  EXEC_RETURN_IF_ERROR(Expect(field, WireType::kVarint));
  *out = static_cast<int64_t>(field.value);
  return Status::Ok();
}

Status WireReader::ReadInt32(const WireField &field, int32_t *out) const {
  EXEC_RETURN_IF_ERROR(Expect(field, WireType::kVarint));
  // int32 values are sign-extended to 64 bits on the wire; the low 32 bits are the value.
  *out = static_cast<int32_t>(static_cast<uint32_t>(field.value));
  return Status::Ok();
}

Status WireReader::ReadFloat(const WireField &field, float *out) const {
  EXEC_RETURN_IF_ERROR(Expect(field, WireType::kFixed32));
  uint32_t bits = static_cast<uint32_t>(field.value);
  std::memcpy(out, &bits, sizeof *out);
  return Status::Ok();
}

Status WireReader::ReadString(const WireField &field, std::string *out) const {
  EXEC_RETURN_IF_ERROR(Expect(field, WireType::kLengthDelimited));
  out->assign(reinterpret_cast<const char *>(field.data), field.size);
  return Status::Ok();
}

Status WireReader::AppendInt64s(const WireField &field, std::vector<int64_t> *out) const {
  if (field.type == WireType::kLengthDelimited) {
    PackedVarints values(field.data, field.size);
    int64_t count = values.Count();
    if (count < 0) {
      return ctx_.Error("invalid %s: packed %s at offset %zu ends inside a varint", ctx_.what(), Describe(field).c_str(),
                        field.offset);
    }
    EXEC_RETURN_IF_ERROR(ctx_.Charge(static_cast<size_t>(count) * sizeof(int64_t)));
    for (int64_t i = 0; i < count; ++i) out->push_back(static_cast<int64_t>(values.Next()));
    return Status::Ok();
  }
  EXEC_RETURN_IF_ERROR(ctx_.Charge(sizeof(int64_t)));
  int64_t value = 0;
  EXEC_RETURN_IF_ERROR(ReadInt64(field, &value));
  out->push_back(value);
  return Status::Ok();
}

Status WireReader::AppendFloats(const WireField &field, std::vector<float> *out) const {
  if (field.type == WireType::kLengthDelimited) {
    if (field.size % 4 != 0) {
      return ctx_.Error("invalid %s: packed %s at offset %zu has %zu bytes, not a multiple of 4", ctx_.what(),
                        Describe(field).c_str(), field.offset, field.size);
    }
    EXEC_RETURN_IF_ERROR(ctx_.Charge(field.size));
    for (size_t at = 0; at < field.size; at += 4) {
      uint32_t bits = LoadLe32(field.data + at);
      float value;
      std::memcpy(&value, &bits, sizeof value);
      out->push_back(value);
    }
    return Status::Ok();
  }
  EXEC_RETURN_IF_ERROR(ctx_.Charge(sizeof(float)));
  float value = 0;
  EXEC_RETURN_IF_ERROR(ReadFloat(field, &value));
  out->push_back(value);
  return Status::Ok();
}

int64_t PackedVarints::Count() const {
  int64_t count = 0;
  int length = 0;
  for (size_t i = 0; i < size_; ++i) {
    ++length;
    if (length == kMaxVarintBytes && data_[i] > 1) return -1;
    if ((data_[i] & 0x80) == 0) {
      ++count;
      length = 0;
    }
  }
  return length == 0 ? count : -1;
}

uint64_t PackedVarints::Next() {
  uint64_t value = 0;
  for (int shift = 0; pos_ < size_; shift += 7) {
    uint8_t byte = data_[pos_++];
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return value;
}

}  // namespace aclsim::onnx
