// The process-wide AscendCL: which library is loaded, and the aclInit/aclFinalize reference
// count shared by every Runtime in every thread (worker_threads included).
//
// AscendCL is process-global (one init, one device state per process), so this is the one
// deliberate global of the addon; everything per-env lives in instance data (addon_data.h).
// Thread: any; every method locks.
#ifndef ASCENDCL_ADDON_PROCESS_RUNTIME_H_
#define ASCENDCL_ADDON_PROCESS_RUNTIME_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "acl/acl_table.h"
#include "acl_call.h"

namespace ascendcl {

struct RuntimeSettings {
  std::string backend;       // 'auto' | 'npu' | 'sim'
  std::string backend_from;  // how it was chosen, for messages: "open()", "ASCENDCL_BACKEND", "default"
  std::string library_path;  // npu: the one library to load; empty = search
  // Simulator options given explicitly (name → canonical string); others come from
  // ASCENDCL_SIM_* or the defaults inside the simulator.
  std::vector<std::pair<std::string, std::string>> sim_options;
  std::string sim_library_path;  // libascendcl_sim.so beside the addon
};

struct RuntimeInfo {
  std::string backend;  // 'npu' | 'sim'
  std::string reason;   // why this backend
  std::string library_path;
  bool fell_back_to_sim = false;  // 'auto' found no usable NPU: the caller warns once
  std::vector<acl::LoadAttempt> attempts;
};

// Thrown by Acquire. kind kLoad becomes AclLoadError; kAcl becomes AclError.
struct OpenFailure {
  enum Kind { kLoad, kAcl } kind = kAcl;
  AclFailure acl;
  std::vector<acl::LoadAttempt> attempts;
  std::string message;  // kLoad: what could not be loaded, for what
  std::string advice;   // kLoad: what to do about it
};

class ProcessRuntime {
 public:
  static ProcessRuntime &Instance();

  // Open AscendCL for one more Runtime: load and aclInit on the first, share afterwards.
  // A request whose backend, library or simulator settings differ from the live ones throws
  // OpenFailure with ACL_ERROR_REPEAT_INITIALIZE.
  RuntimeInfo Acquire(const RuntimeSettings &settings);
  // One Runtime closed; the last one finalises AscendCL.
  void Release();

  bool loaded() const { return library_ != nullptr; }
  const acl::FunctionTable &fn() const { return library_->fn(); }
  const acl::SimTable *sim() const { return library_ != nullptr ? library_->sim() : nullptr; }
  bool IsMissing(const char *optional_function) const;
  std::string library_path() const { return library_ != nullptr ? library_->path() : std::string(); }

 private:
  ProcessRuntime() = default;
  RuntimeInfo OpenSimulator(const RuntimeSettings &settings, std::vector<acl::LoadAttempt> attempts);
  bool TryNpu(const std::string &path, bool need_devices, std::vector<acl::LoadAttempt> *attempts);
  void CheckCompatible(const RuntimeSettings &settings);
  void InitLoaded(const std::string &api_context);

  std::mutex mutex_;
  int open_count_ = 0;
  bool we_initialized_ = false;  // false when another component in the process had called aclInit
  const acl::Library *library_ = nullptr;
  std::map<std::string, std::unique_ptr<acl::Library>> libraries_;  // never unloaded
  RuntimeInfo live_;
  std::string live_library_request_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_PROCESS_RUNTIME_H_
