/* Declarations of everything libascendcl_sim.so exports: the AscendCL functions of
 * acl/acl_functions.h and the simulator's aclsim* extensions. For C and C++ programs (and the
 * simulator's own tests) that link the simulator directly instead of loading it with dlopen.
 * Usable from C99 and C++. */
#ifndef ASCENDCL_SIM_ACLSIM_H_
#define ASCENDCL_SIM_ACLSIM_H_

#include "acl/acl_functions.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ACLSIM_DECLARE_FUNCTION(ret, name, params, args) __attribute__((visibility("default"))) ret name params;
ACL_REQUIRED_FUNCTIONS(ACLSIM_DECLARE_FUNCTION)
ACL_OPTIONAL_FUNCTIONS(ACLSIM_DECLARE_FUNCTION)
ACLSIM_FUNCTIONS(ACLSIM_DECLARE_FUNCTION)
ACL_MODEL_FUNCTIONS(ACLSIM_DECLARE_FUNCTION)
ACLSIM_MODEL_FUNCTIONS(ACLSIM_DECLARE_FUNCTION)
#undef ACLSIM_DECLARE_FUNCTION

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ASCENDCL_SIM_ACLSIM_H_ */
