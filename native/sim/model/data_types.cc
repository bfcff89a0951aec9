#include "sim/model/data_types.h"

#include <string_view>

#include "acl/acl_abi.h"

namespace aclsim::model {

size_t AclDataTypeSize(int acl_type) {
  switch (acl_type) {
    case ACL_DT_UNDEFINED: return 0;
    case ACL_STRING: return 0;
    case ACL_FLOAT: return 4;
    case ACL_FLOAT16: return 2;
    case ACL_INT8: return 1;
    case ACL_INT32: return 4;
    case ACL_UINT8: return 1;
    case ACL_INT16: return 2;
    case ACL_UINT16: return 2;
    case ACL_UINT32: return 4;
    case ACL_INT64: return 8;
    case ACL_UINT64: return 8;
    case ACL_DOUBLE: return 8;
    case ACL_BOOL: return 1;
    case ACL_COMPLEX64: return 8;
    case ACL_COMPLEX128: return 16;
    case ACL_BF16: return 2;
    case ACL_INT4: return 1;
    case ACL_UINT1: return 1;
    case ACL_COMPLEX32: return 4;
    case ACL_HIFLOAT8: return 1;
    case ACL_FLOAT8_E5M2: return 1;
    case ACL_FLOAT8_E4M3FN: return 1;
    case ACL_FLOAT8_E8M0: return 1;
    default: return 8;  // the runtime's default branch, which the FLOAT6/FLOAT4 values also reach
  }
}

int ToAcl(exec::DType type) { return exec::ToAclDataType(type); }

exec::DType ParseIoTypeName(const char *name, size_t length) {
  std::string_view text(name, length);
  if (text == "float16") return exec::DType::kFloat16;
  if (text == "uint8") return exec::DType::kUint8;
  if (text == "float32") return exec::DType::kFloat32;
  return exec::DType::kUndefined;
}

}  // namespace aclsim::model
