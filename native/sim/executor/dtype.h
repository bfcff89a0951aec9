// Element types, numbered as ONNX's TensorProto.DataType (the format the executor reads).
#ifndef ASCENDCL_SIM_EXECUTOR_DTYPE_H_
#define ASCENDCL_SIM_EXECUTOR_DTYPE_H_

#include <cstddef>
#include <cstdint>

namespace aclsim::exec {

enum class DType : int32_t {
  kUndefined = 0,
  kFloat32 = 1,
  kUint8 = 2,
  kInt8 = 3,
  kUint16 = 4,
  kInt16 = 5,
  kInt32 = 6,
  kInt64 = 7,
  kString = 8,  // read, never executed
  kBool = 9,    // one byte, 0 or 1
  kFloat16 = 10,
  kFloat64 = 11,
  kUint32 = 12,
  kUint64 = 13,
  kComplex64 = 14,
  kComplex128 = 15,
  kBFloat16 = 16,
};

// Bytes per element (0 for undefined, string and unknown values).
size_t DTypeSize(DType type);
// "float32", "int64", ... (the names lib/ uses), or "undefined(<n>)".
const char *DTypeName(DType type);
// The types tensors may have at run time (everything but undefined, string and complex).
bool IsRunnable(DType type);
// aclDataType values (ACL_FLOAT = 0, ACL_FLOAT16 = 1, ...) for model descriptors; -1 if none.
int ToAclDataType(DType type);
DType FromAclDataType(int acl_type);

// The C++ type of each element type, for kernels templated over it.
template <DType T> struct CType;
template <> struct CType<DType::kFloat32> { using type = float; };
template <> struct CType<DType::kFloat64> { using type = double; };
template <> struct CType<DType::kInt8> { using type = int8_t; };
template <> struct CType<DType::kUint8> { using type = uint8_t; };
template <> struct CType<DType::kInt16> { using type = int16_t; };
template <> struct CType<DType::kUint16> { using type = uint16_t; };
template <> struct CType<DType::kInt32> { using type = int32_t; };
template <> struct CType<DType::kUint32> { using type = uint32_t; };
template <> struct CType<DType::kInt64> { using type = int64_t; };
template <> struct CType<DType::kUint64> { using type = uint64_t; };
template <> struct CType<DType::kBool> { using type = uint8_t; };
template <> struct CType<DType::kFloat16> { using type = uint16_t; };   // IEEE half bits
template <> struct CType<DType::kBFloat16> { using type = uint16_t; };  // bfloat16 bits

}  // namespace aclsim::exec

#endif  // ASCENDCL_SIM_EXECUTOR_DTYPE_H_
