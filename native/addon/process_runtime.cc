#include "process_runtime.h"

#include <cstring>

#include "acl/acl_errors.h"

namespace ascendcl {
namespace {

// Options the simulator knows; each is set, or reset to its env/default (NULL), before aclInit so
// that settings never leak from one open/close cycle into the next.
const char *const kSimOptionNames[] = {"devices", "memoryBytes", "socName", "threads",
                                       "maxStreams", "maxEvents", "strict", "faults"};

OpenFailure Conflict(const std::string &message) {
  OpenFailure failure;
  failure.kind = OpenFailure::kAcl;
  failure.acl = BindingFailure(acl::ACL_ERROR_REPEAT_INITIALIZE, "open", -1, message);
  return failure;
}

std::string Describe(int code) {
  const char *name = acl::ErrorName(code);
  return std::to_string(code) + " " + (name != nullptr ? name : "ACL_ERROR_UNKNOWN_" + std::to_string(code));
}

}  // namespace

ProcessRuntime &ProcessRuntime::Instance() {
  // Leaked on purpose: runtime threads may still run while static destructors do at exit().
  static ProcessRuntime *instance = new ProcessRuntime();
  return *instance;
}

bool ProcessRuntime::IsMissing(const char *optional_function) const {
  if (library_ == nullptr) return true;
  for (const std::string &name : library_->missing_optional()) {
    if (name == optional_function) return true;
  }
  return false;
}

void ProcessRuntime::InitLoaded(const std::string &api_context) {
  int rc = library_->fn().aclInit(nullptr);
  if (rc == 0) {
    we_initialized_ = true;
  } else if (rc == acl::ACL_ERROR_REPEAT_INITIALIZE) {
    // Something else in this process (another addon, a C library) initialised AscendCL first.
    // Share it and never finalise it behind that component's back.
    library_->fn().aclGetRecentErrMsg();
    we_initialized_ = false;
  } else {
    OpenFailure failure;
    failure.kind = OpenFailure::kAcl;
    failure.acl = CaptureFailure(rc, "aclInit", -1);
    if (!api_context.empty()) failure.acl.message = api_context;
    library_ = nullptr;
    throw failure;
  }
}

bool ProcessRuntime::TryNpu(const std::string &path, bool need_devices, std::vector<acl::LoadAttempt> *attempts) {
  std::string reason;
  auto found = libraries_.find(path);
  const acl::Library *lib = nullptr;
  if (found != libraries_.end()) {
    lib = found->second.get();
  } else {
    std::unique_ptr<acl::Library> opened = acl::Library::Open(path, &reason);
    if (opened == nullptr) {
      attempts->push_back({path, reason});
      return false;
    }
    lib = opened.get();
    libraries_[path] = std::move(opened);
  }
  library_ = lib;
  int rc = lib->fn().aclInit(nullptr);
  if (rc != 0 && rc != acl::ACL_ERROR_REPEAT_INITIALIZE) {
    const char *recent = lib->fn().aclGetRecentErrMsg();
    attempts->push_back({lib->path(), "aclInit failed: " + Describe(rc) + (recent ? std::string(": ") + recent : "")});
    library_ = nullptr;
    return false;
  }
  we_initialized_ = rc == 0;
  if (rc != 0) lib->fn().aclGetRecentErrMsg();
  if (need_devices) {
    uint32_t count = 0;
    int count_rc = lib->fn().aclrtGetDeviceCount(&count);
    if (count_rc != 0 || count == 0) {
      attempts->push_back({lib->path(), count_rc != 0 ? "aclrtGetDeviceCount failed: " + Describe(count_rc)
                                                      : "loaded, but reports no devices"});
      lib->fn().aclGetRecentErrMsg();
      if (we_initialized_) lib->fn().aclFinalize();
      library_ = nullptr;
      return false;
    }
  }
  attempts->push_back({lib->path(), ""});
  return true;
}

RuntimeInfo ProcessRuntime::OpenSimulator(const RuntimeSettings &settings, std::vector<acl::LoadAttempt> attempts) {
  const std::string &path = settings.sim_library_path;
  auto found = libraries_.find(path);
  if (found == libraries_.end()) {
    std::string reason;
    std::unique_ptr<acl::Library> opened = acl::Library::Open(path, &reason);
    if (opened == nullptr || opened->sim() == nullptr) {
      OpenFailure failure;
      failure.kind = OpenFailure::kLoad;
      attempts.push_back({path, opened == nullptr ? reason : "not the simulator (no aclsim* extensions)"});
      failure.attempts = attempts;
      failure.message = "cannot load the simulator libascendcl_sim.so beside the addon";
      failure.advice = "Reinstall or rebuild ascendcl (npm rebuild ascendcl).";
      throw failure;
    }
    found = libraries_.emplace(path, std::move(opened)).first;
  }
  library_ = found->second.get();
  const acl::SimTable *sim = library_->sim();
  for (const char *name : kSimOptionNames) {
    std::string value;
    for (const auto &option : settings.sim_options) {
      if (option.first == name) value = option.second;
    }
    int rc = sim->aclsimSetOption(name, value.empty() ? nullptr : value.c_str());
    if (rc != 0) {
      OpenFailure failure;
      failure.kind = OpenFailure::kAcl;
      failure.acl = CaptureFailure(rc, "aclsimSetOption", -1);
      library_ = nullptr;
      throw failure;
    }
  }
  InitLoaded("");
  RuntimeInfo info;
  info.backend = "sim";
  info.library_path = library_->path();
  info.attempts = std::move(attempts);
  return info;
}

void ProcessRuntime::CheckCompatible(const RuntimeSettings &settings) {
  if (settings.backend != "auto" && settings.backend != live_.backend) {
    throw Conflict("AscendCL is already open in this process with backend '" + live_.backend +
                   "'; open() asked for '" + settings.backend + "' (" + settings.backend_from +
                   "). Close every Runtime first, or open the same backend.");
  }
  if (!settings.library_path.empty() && settings.library_path != live_library_request_ &&
      settings.library_path != live_.library_path) {
    throw Conflict("AscendCL is already open in this process from " + live_.library_path + "; open() asked for " +
                   settings.library_path + ". Close every Runtime first.");
  }
  const acl::SimTable *sim = library_->sim();
  if (live_.backend != "sim" || sim == nullptr) return;
  for (const auto &option : settings.sim_options) {
    if (option.first == "faults") continue;  // faults of a later open() are added, not compared
    char live_value[256] = {0};
    if (sim->aclsimGetOption(option.first.c_str(), live_value, sizeof live_value) != 0) {
      library_->fn().aclGetRecentErrMsg();
      continue;
    }
    if (option.second != live_value) {
      throw Conflict("the simulator is already open in this process with " + option.first + "=" + live_value +
                     "; open() asked for " + option.first + "=" + option.second +
                     ". Close every Runtime first, or pass the same sim settings.");
    }
  }
}

RuntimeInfo ProcessRuntime::Acquire(const RuntimeSettings &settings) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_count_ > 0) {
    CheckCompatible(settings);
    const acl::SimTable *sim = library_->sim();
    if (live_.backend == "sim" && sim != nullptr) {
      for (const auto &option : settings.sim_options) {
        if (option.first != "faults" || option.second.empty()) continue;
        // "api:nth:code,..." of a later open(): registered now, counted from now.
        size_t start = 0;
        const std::string &spec = option.second;
        while (start < spec.size()) {
          size_t end = spec.find(',', start);
          if (end == std::string::npos) end = spec.size();
          std::string item = spec.substr(start, end - start);
          size_t a = item.find(':'), b = item.rfind(':');
          if (a != std::string::npos && b != a) {
            std::string nth = item.substr(a + 1, b - a - 1);
            sim->aclsimInjectFault(item.substr(0, a).c_str(), nth == "*" ? 0 : std::stoull(nth),
                                   std::stoi(item.substr(b + 1)));
          }
          start = end + 1;
        }
      }
    }
    ++open_count_;
    return live_;
  }

  RuntimeInfo info;
  std::vector<acl::LoadAttempt> attempts;
  if (settings.backend == "sim") {
    info = OpenSimulator(settings, {});
    info.reason = "backend 'sim' (" + settings.backend_from + ")";
  } else {
    bool need_devices = settings.backend == "auto";
    bool loaded = false;
    for (const std::string &candidate : acl::NpuCandidates(settings.library_path)) {
      if (TryNpu(candidate, need_devices, &attempts)) {
        loaded = true;
        break;
      }
    }
    if (loaded) {
      info.backend = "npu";
      info.library_path = library_->path();
      uint32_t count = 0;
      library_->fn().aclrtGetDeviceCount(&count);
      info.reason = "backend '" + settings.backend + "' (" + settings.backend_from + "): loaded " + info.library_path +
                    " with " + std::to_string(count) + " device(s)";
      info.attempts = attempts;
    } else if (settings.backend == "npu") {
      OpenFailure failure;
      failure.kind = OpenFailure::kLoad;
      failure.attempts = attempts;
      failure.message = "cannot load the AscendCL runtime libascendcl.so for backend 'npu' (" + settings.backend_from + ")";
      failure.advice =
          "Install CANN and source <toolkit>/set_env.sh (it sets ASCEND_HOME_PATH), or pass libraryPath; "
          "use backend 'sim' to run on the simulator. acl.diagnose() (or `npx ascendcl info`) reports every check: "
          "library search, stub, versions, devices, device-visibility variables.";
      throw failure;
    } else {
      std::string why;
      for (const acl::LoadAttempt &attempt : attempts) {
        if (!why.empty()) why += "; ";
        why += attempt.path + ": " + attempt.reason;
      }
      info = OpenSimulator(settings, attempts);
      info.fell_back_to_sim = true;
      info.reason = "backend 'auto' (" + settings.backend_from + ") found no usable NPU runtime (" + why +
                    "), so it uses the simulator";
    }
  }
  open_count_ = 1;
  live_ = info;
  live_library_request_ = settings.library_path;
  return info;
}

void ProcessRuntime::Release() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (open_count_ == 0) return;
  if (--open_count_ > 0) return;
  if (library_ != nullptr) {
    // aclFinalizeReference only tears down when no other component of the process still holds
    // an aclInit; without it (older CANN) finalise only what we initialised ourselves.
    if (library_->fn().aclFinalizeReference != nullptr) {
      uint64_t remaining = 0;
      library_->fn().aclFinalizeReference(&remaining);
    } else if (we_initialized_) {
      library_->fn().aclFinalize();
    }
    library_->fn().aclGetRecentErrMsg();
  }
  library_ = nullptr;
  live_ = RuntimeInfo{};
  live_library_request_.clear();
}

}  // namespace ascendcl
