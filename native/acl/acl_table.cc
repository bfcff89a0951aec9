#include "acl_table.h"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "acl_errors.h"

namespace acl {
namespace {

std::string DlError() {
  const char *message = dlerror();
  return message != nullptr ? message : "unknown dlopen error";
}

bool LooksLikePath(const std::string &s) { return s.find('/') != std::string::npos; }

}  // namespace

std::unique_ptr<Library> Library::Open(const std::string &path, std::string *reason) {
  if (LooksLikePath(path) && access(path.c_str(), F_OK) != 0) {
    *reason = std::string("not found (") + std::strerror(errno) + ")";
    return nullptr;
  }
  dlerror();
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    *reason = "dlopen failed: " + DlError();
    return nullptr;
  }
  std::unique_ptr<Library> lib(new Library());
  lib->handle_ = handle;
  lib->path_ = path;
  link_map *map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr &&
      map->l_name[0] != '\0') {
    lib->path_ = map->l_name;
  }

  std::string missing;
#define ACL_RESOLVE_REQUIRED(ret, name, params, args)                                  \
  lib->fn_.name = reinterpret_cast<ret(*) params>(dlsym(handle, #name));               \
  if (lib->fn_.name == nullptr) missing += (missing.empty() ? "" : ", ") + std::string(#name);
  ACL_REQUIRED_FUNCTIONS(ACL_RESOLVE_REQUIRED)
  ACL_MODEL_FUNCTIONS(ACL_RESOLVE_REQUIRED)
#undef ACL_RESOLVE_REQUIRED
  if (!missing.empty()) {
    *reason = "not an AscendCL runtime: missing required symbols " + missing;
    // Not dlclose'd: a library that half-matches may have started threads in its constructors.
    return nullptr;
  }
#define ACL_RESOLVE_OPTIONAL(ret, name, params, args)                    \
  lib->fn_.name = reinterpret_cast<ret(*) params>(dlsym(handle, #name)); \
  if (lib->fn_.name == nullptr) lib->missing_optional_.push_back(#name);
  ACL_OPTIONAL_FUNCTIONS(ACL_RESOLVE_OPTIONAL)
#undef ACL_RESOLVE_OPTIONAL

  bool all_sim = true;
#define ACL_RESOLVE_SIM(ret, name, params, args)                          \
  lib->sim_.name = reinterpret_cast<ret(*) params>(dlsym(handle, #name)); \
  all_sim = all_sim && lib->sim_.name != nullptr;
  ACLSIM_FUNCTIONS(ACL_RESOLVE_SIM)
  ACLSIM_MODEL_FUNCTIONS(ACL_RESOLVE_SIM)
#undef ACL_RESOLVE_SIM
  lib->has_sim_ = all_sim;

  // CANN ships a link-only stub libascendcl.so (devlib/) whose every function answers
  // ACL_ERROR_COMPILING_STUB_MODE. aclrtGetDeviceCount needs no init or context, so it is a
  // harmless probe on the real runtime.
  uint32_t count = 0;
  if (lib->fn_.aclrtGetDeviceCount(&count) == ACL_ERROR_COMPILING_STUB_MODE) {
    *reason =
        "CANN's link-only stub library (every call answers 100039 ACL_ERROR_COMPILING_STUB_MODE); "
        "load <toolkit>/lib64/libascendcl.so instead";
    return nullptr;
  }
  return lib;
}

std::vector<std::string> NpuCandidates(const std::string &library_path) {
  if (!library_path.empty()) return {library_path};
  std::vector<std::string> out;
  for (const char *var : {"ASCEND_HOME_PATH", "ASCEND_TOOLKIT_HOME"}) {
    const char *value = std::getenv(var);
    if (value != nullptr && value[0] != '\0') out.push_back(std::string(value) + "/lib64/libascendcl.so");
  }
  out.push_back("/usr/local/Ascend/ascend-toolkit/latest/lib64/libascendcl.so");
  out.push_back("libascendcl.so");
  return out;
}

std::string PathBesideObject(const void *address, const char *file_name) {
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return file_name;
  std::string self = info.dli_fname;
  size_t slash = self.rfind('/');
  if (slash == std::string::npos) return file_name;
  return self.substr(0, slash + 1) + file_name;
}

}  // namespace acl
