// aclDataType facts the model layer needs: element sizes (reference §2.3) and names.
#ifndef ASCENDCL_SIM_MODEL_DATA_TYPES_H_
#define ASCENDCL_SIM_MODEL_DATA_TYPES_H_

#include <cstddef>

#include "sim/executor/dtype.h"

namespace aclsim::model {

// aclDataTypeSize: the table of reference §2.3; 8 for any value it does not list (as the
// runtime's switch default), 0 for ACL_DT_UNDEFINED and ACL_STRING.
size_t AclDataTypeSize(int acl_type);

// The aclDataType of an executor type (ACL_DT_UNDEFINED when there is none).
int ToAcl(exec::DType type);

// "float16", "uint8", "float32" → the executor type; kUndefined for anything else. The names
// aclsimSetModelOptions accepts.
exec::DType ParseIoTypeName(const char *name, size_t length);

}  // namespace aclsim::model

#endif  // ASCENDCL_SIM_MODEL_DATA_TYPES_H_
