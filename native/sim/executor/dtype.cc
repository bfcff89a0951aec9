#include "sim/executor/dtype.h"

#include <cstdio>

namespace aclsim::exec {

size_t DTypeSize(DType type) {
  switch (type) {
    case DType::kFloat32: case DType::kInt32: case DType::kUint32: return 4;
    case DType::kUint8: case DType::kInt8: case DType::kBool: return 1;
    case DType::kUint16: case DType::kInt16: case DType::kFloat16: case DType::kBFloat16: return 2;
    case DType::kInt64: case DType::kUint64: case DType::kFloat64: case DType::kComplex64: return 8;
    case DType::kComplex128: return 16;
    case DType::kUndefined: case DType::kString: break;
  }
  return 0;
}

const char *DTypeName(DType type) {
  switch (type) {
    case DType::kFloat32: return "float32";
    case DType::kUint8: return "uint8";
    case DType::kInt8: return "int8";
    case DType::kUint16: return "uint16";
    case DType::kInt16: return "int16";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kString: return "string";
    case DType::kBool: return "bool";
    case DType::kFloat16: return "float16";
    case DType::kFloat64: return "float64";
    case DType::kUint32: return "uint32";
    case DType::kUint64: return "uint64";
    case DType::kComplex64: return "complex64";
    case DType::kComplex128: return "complex128";
    case DType::kBFloat16: return "bfloat16";
    case DType::kUndefined: break;
  }
  static thread_local char text[32];
  std::snprintf(text, sizeof text, "undefined(%d)", static_cast<int>(type));
  return text;
}

bool IsRunnable(DType type) {
  switch (type) {
    case DType::kUndefined: case DType::kString: case DType::kComplex64: case DType::kComplex128: return false;
    default: return DTypeSize(type) != 0;
  }
}

int ToAclDataType(DType type) {
  switch (type) {
    case DType::kFloat32: return 0;
    case DType::kFloat16: return 1;
    case DType::kInt8: return 2;
    case DType::kInt32: return 3;
    case DType::kUint8: return 4;
    case DType::kInt16: return 6;
    case DType::kUint16: return 7;
    case DType::kUint32: return 8;
    case DType::kInt64: return 9;
    case DType::kUint64: return 10;
    case DType::kFloat64: return 11;
    case DType::kBool: return 12;
    case DType::kString: return 13;
    case DType::kComplex64: return 16;
    case DType::kComplex128: return 17;
    case DType::kBFloat16: return 27;
    case DType::kUndefined: break;
  }
  return -1;
}

DType FromAclDataType(int acl_type) {
  for (int value = 1; value <= 16; ++value) {
    if (ToAclDataType(static_cast<DType>(value)) == acl_type) return static_cast<DType>(value);
  }
  return DType::kUndefined;
}

}  // namespace aclsim::exec
