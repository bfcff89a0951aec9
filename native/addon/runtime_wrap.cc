#include "runtime_wrap.h"

#include "acl/acl_errors.h"
#include "addon_data.h"
#include "device_core.h"
#include "device_wrap.h"
#include "wrap_util.h"

namespace ascendcl {

void RuntimeWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = DefineClass(env, "NativeRuntime",
                                   {
                                       InstanceMethod<&RuntimeWrap::Info>("info"),
                                       InstanceMethod<&RuntimeWrap::DeviceCount>("deviceCount"),
                                       InstanceMethod<&RuntimeWrap::OpenDevice>("openDevice"),
                                       InstanceMethod<&RuntimeWrap::Stats>("stats"),
                                       InstanceMethod<&RuntimeWrap::SimStats>("simStats"),
                                       InstanceMethod<&RuntimeWrap::SimLeakReport>("simLeakReport"),
                                       InstanceMethod<&RuntimeWrap::SimInjectFault>("simInjectFault"),
                                       InstanceMethod<&RuntimeWrap::SimClearFaults>("simClearFaults"),
                                       InstanceMethod<&RuntimeWrap::SimTraceStart>("simTraceStart"),
                                       InstanceMethod<&RuntimeWrap::SimTraceStop>("simTraceStop"),
                                       InstanceMethod<&RuntimeWrap::Close>("close"),
                                       InstanceAccessor<&RuntimeWrap::IsClosed>("isClosed"),
                                   });
  Data(env).runtime_class = Napi::Persistent(cls);
  exports.Set("NativeRuntime", cls);
  exports.Set("openRuntime", Napi::Function::New<&RuntimeWrap::OpenRuntime>(env, "openRuntime"));
}

Napi::Value RuntimeWrap::OpenRuntime(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject()) ThrowTypeError(env, "expected an object for settings");
  Napi::Object options = info[0].As<Napi::Object>();
  RuntimeSettings settings;
  settings.backend = options.Get("backend").ToString().Utf8Value();
  settings.backend_from = options.Get("backendFrom").ToString().Utf8Value();
  Napi::Value library = options.Get("libraryPath");
  if (library.IsString()) settings.library_path = library.As<Napi::String>().Utf8Value();
  Napi::Value sim = options.Get("simOptions");
  if (sim.IsArray()) {
    Napi::Array list = sim.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Array pair = list.Get(i).As<Napi::Array>();
      settings.sim_options.emplace_back(pair.Get(0u).ToString().Utf8Value(), pair.Get(1u).ToString().Utf8Value());
    }
  }
  if (settings.backend != "auto" && settings.backend != "npu" && settings.backend != "sim") {
    ThrowRangeError(env, "expected 'auto', 'npu' or 'sim' for backend");
  }
  settings.sim_library_path = acl::PathBesideObject(reinterpret_cast<const void *>(&RuntimeWrap::OpenRuntime),
                                                    "libascendcl_sim.so");
  RuntimeInfo runtime_info;
  try {
    runtime_info = ProcessRuntime::Instance().Acquire(settings);
  } catch (const OpenFailure &failure) {
    if (failure.kind == OpenFailure::kLoad) ThrowLoadError(env, failure.message, failure.attempts, failure.advice);
    ThrowAclError(env, failure.acl);
  }
  auto core = std::make_shared<RuntimeCore>(&Data(env), runtime_info);
  return NewWrapped(Data(env).runtime_class, core);
}

RuntimeWrap::RuntimeWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RuntimeWrap>(info) {
  core_ = CoreFromConstructor<RuntimeCore>(info, "Runtime");
  Tag(info.This().As<Napi::Object>(), tags::kRuntime);
}

RuntimeWrap::~RuntimeWrap() {
  // GC backstop: a runtime nobody closed is closed when it is collected (its devices and their
  // children hold it, so by then nothing of it is reachable).
  if (core_ != nullptr) core_->Close();
}

const std::shared_ptr<RuntimeCore> &RuntimeWrap::Open(Napi::Env env) const {
  if (core_->closed()) ThrowClosed(env, "Runtime");
  return core_;
}

Napi::Value RuntimeWrap::Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const RuntimeInfo &runtime = core_->info();
  Napi::Object out = Napi::Object::New(env);
  out.Set("backend", runtime.backend);
  out.Set("reason", runtime.reason);
  out.Set("libraryPath", runtime.library_path);
  out.Set("fellBackToSim", runtime.fell_back_to_sim);
  Napi::Array attempts = Napi::Array::New(env, runtime.attempts.size());
  for (size_t i = 0; i < runtime.attempts.size(); ++i) {
    Napi::Object attempt = Napi::Object::New(env);
    attempt.Set("path", runtime.attempts[i].path);
    attempt.Set("reason", runtime.attempts[i].reason);
    attempts.Set(static_cast<uint32_t>(i), attempt);
  }
  out.Set("attempts", attempts);
  if (core_->closed()) return out;

  const acl::FunctionTable &fn = Acl();
  int32_t major = 0, minor = 0, patch = 0;
  if (fn.aclrtGetVersion(&major, &minor, &patch) != 0) fn.aclGetRecentErrMsg();
  Napi::Object version = Napi::Object::New(env);
  version.Set("major", major);
  version.Set("minor", minor);
  version.Set("patch", patch);
  out.Set("version", version);

  const char *soc = fn.aclrtGetSocName != nullptr ? fn.aclrtGetSocName() : nullptr;
  out.Set("socName", soc != nullptr ? soc : "");
  aclrtRunMode mode = ACL_HOST;
  if (fn.aclrtGetRunMode(&mode) != 0) fn.aclGetRecentErrMsg();
  out.Set("runMode", mode == ACL_DEVICE ? "device" : "host");

  // The CANN version: aclsysGetVersionStr (newer), else the deprecated aclsysGetCANNVersion.
  Napi::Value cann = env.Null();
  if (fn.aclsysGetVersionStr != nullptr) {
    char package[] = "CANN";
    char text[256] = {0};
    if (fn.aclsysGetVersionStr(package, text) == 0 && text[0] != '\0') cann = Napi::String::New(env, text);
    else fn.aclGetRecentErrMsg();
  }
  if (cann.IsNull() && fn.aclsysGetCANNVersion != nullptr) {
    aclCANNPackageVersion version_info{};
    if (fn.aclsysGetCANNVersion(ACL_PKG_NAME_CANN, &version_info) == 0 && version_info.version[0] != '\0') {
      cann = Napi::String::New(env, version_info.version);
    } else {
      fn.aclGetRecentErrMsg();
    }
  }
  out.Set("cannVersion", cann);
  return out;
}

Napi::Value RuntimeWrap::DeviceCount(const Napi::CallbackInfo &info) {
  Open(info.Env());
  uint32_t count = 0;
  Check(info.Env(), Acl().aclrtGetDeviceCount(&count), "aclrtGetDeviceCount", -1);
  return Napi::Number::New(info.Env(), count);
}

Napi::Value RuntimeWrap::OpenDevice(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<RuntimeCore> &core = Open(env);
  int id = static_cast<int>(ToUint(info, 0, "id"));
  return DeviceWrap::New(env, core->OpenDevice(env, id, core));
}

Napi::Value RuntimeWrap::Stats(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const LiveStats &stats = core_->stats();
  Napi::Object out = Napi::Object::New(env);
  out.Set("deviceBuffers", double(stats.device_buffers));
  out.Set("hostBuffers", double(stats.host_buffers));
  out.Set("streams", double(stats.streams));
  out.Set("events", double(stats.events));
  out.Set("models", double(stats.models));
  out.Set("deviceBytes", double(stats.device_bytes));
  out.Set("hostBytes", double(stats.host_bytes));
  out.Set("pendingOps", double(core_->PendingOps()));
  out.Set("poolBytes", double(core_->PoolBytes()));
  return out;
}

Napi::Value RuntimeWrap::SimStats(const Napi::CallbackInfo &info) {
  Open(info.Env());
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr) return info.Env().Null();
  const char *json = sim->aclsimStatsJson();
  return json != nullptr ? Napi::String::New(info.Env(), json) : info.Env().Null();
}

Napi::Value RuntimeWrap::SimLeakReport(const Napi::CallbackInfo &info) {
  Open(info.Env());
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr) return info.Env().Null();
  const char *report = sim->aclsimLeakReport();
  return report != nullptr ? Napi::String::New(info.Env(), report) : info.Env().Null();
}

Napi::Value RuntimeWrap::SimInjectFault(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Open(env);
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr) return env.Undefined();
  std::string api = info[0].ToString().Utf8Value();
  uint64_t nth = ToUint(info, 1, "nth");
  int code = info[2].ToNumber().Int32Value();
  Check(env, sim->aclsimInjectFault(api.c_str(), nth, code), "aclsimInjectFault", -1);
  return env.Undefined();
}

Napi::Value RuntimeWrap::SimClearFaults(const Napi::CallbackInfo &info) {
  Open(info.Env());
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim != nullptr) Check(info.Env(), sim->aclsimClearFaults(), "aclsimClearFaults", -1);
  return info.Env().Undefined();
}

Napi::Value RuntimeWrap::SimTraceStart(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  Open(env);
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr) return Napi::Boolean::New(env, false);
  uint64_t max_records = ToUint(info, 0, "maxRecords");
  Check(env, sim->aclsimTraceStart(max_records), "aclsimTraceStart", -1);
  return Napi::Boolean::New(env, true);
}

Napi::Value RuntimeWrap::SimTraceStop(const Napi::CallbackInfo &info) {
  Open(info.Env());
  const acl::SimTable *sim = ProcessRuntime::Instance().sim();
  if (sim == nullptr) return info.Env().Null();
  const char *json = sim->aclsimTraceStop();
  return json != nullptr ? Napi::String::New(info.Env(), json) : info.Env().Null();
}

Napi::Value RuntimeWrap::Close(const Napi::CallbackInfo &info) {
  core_->Close();
  return info.Env().Undefined();
}

Napi::Value RuntimeWrap::IsClosed(const Napi::CallbackInfo &info) { return Napi::Boolean::New(info.Env(), core_->closed()); }

}  // namespace ascendcl
