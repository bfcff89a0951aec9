// The function table: every AscendCL function we call, as a pointer resolved with dlsym.
//
// The addon calls AscendCL only through this table, so the same compiled addon drives the real
// runtime or the simulator, and needs no CANN headers or libraries at build time (design.md §1).
#ifndef ASCENDCL_ACL_TABLE_H_
#define ASCENDCL_ACL_TABLE_H_

#include <memory>
#include <string>
#include <vector>

#include "acl_functions.h"

namespace acl {

struct FunctionTable {
#define ACL_TABLE_ENTRY(ret, name, params, args) ret(*name) params = nullptr;
  ACL_REQUIRED_FUNCTIONS(ACL_TABLE_ENTRY)
  ACL_MODEL_FUNCTIONS(ACL_TABLE_ENTRY)
  ACL_OPTIONAL_FUNCTIONS(ACL_TABLE_ENTRY)
#undef ACL_TABLE_ENTRY
};

// The simulator's aclsim* extensions; present only when the loaded library is the simulator.
struct SimTable {
#define ACL_TABLE_ENTRY(ret, name, params, args) ret(*name) params = nullptr;
  ACLSIM_FUNCTIONS(ACL_TABLE_ENTRY)
  ACLSIM_MODEL_FUNCTIONS(ACL_TABLE_ENTRY)
#undef ACL_TABLE_ENTRY
};

// One place the loader looked, and why it was not used ("" when it was).
struct LoadAttempt {
  std::string path;
  std::string reason;
};

// A loaded AscendCL library. Never unloaded: runtimes start threads that may outlive any point
// where unloading would be safe, and a process loads at most a couple of them.
class Library {
 public:
  // dlopen `path` (a file path, or a bare name for the system loader's own search), resolve
  // every required symbol, each optional one, and reject CANN's link-only stub (every call
  // answers ACL_ERROR_COMPILING_STUB_MODE). On failure returns nullptr and sets *reason.
  static std::unique_ptr<Library> Open(const std::string &path, std::string *reason);

  const FunctionTable &fn() const { return fn_; }
  // nullptr unless every aclsim* extension resolved.
  const SimTable *sim() const { return has_sim_ ? &sim_ : nullptr; }
  // The file actually loaded (absolute when the system loader found it).
  const std::string &path() const { return path_; }
  // Optional functions this library does not export.
  const std::vector<std::string> &missing_optional() const { return missing_optional_; }

 private:
  Library() = default;
  void *handle_ = nullptr;
  FunctionTable fn_;
  SimTable sim_;
  bool has_sim_ = false;
  std::string path_;
  std::vector<std::string> missing_optional_;
};

// Where the real runtime is looked for, in order (design.md §3): `library_path` alone when it is
// given; otherwise $ASCEND_HOME_PATH/lib64, $ASCEND_TOOLKIT_HOME/lib64,
// /usr/local/Ascend/ascend-toolkit/latest/lib64, then the system loader's search for
// "libascendcl.so" (LD_LIBRARY_PATH, ld.so.cache).
std::vector<std::string> NpuCandidates(const std::string &library_path);

// The path of `file_name` in the directory of the shared object that contains `address`
// (the addon uses it to find libascendcl_sim.so next to itself).
std::string PathBesideObject(const void *address, const char *file_name);

}  // namespace acl

#endif  // ASCENDCL_ACL_TABLE_H_
