#include "library_probe.h"

#include "acl/acl_table.h"

namespace ascendcl {

Napi::Value ProbeLibraries(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  std::string library_path;
  if (info.Length() > 0 && info[0].IsString()) library_path = info[0].As<Napi::String>().Utf8Value();
  std::vector<std::string> candidates = acl::NpuCandidates(library_path);
  Napi::Array out = Napi::Array::New(env, candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::string reason;
    // Library::Open never unloads (acl_table.h says why); a successful probe leaves the library
    // loaded, which is what the 'npu' backend would do next anyway.
    std::unique_ptr<acl::Library> lib = acl::Library::Open(candidates[i], &reason);
    Napi::Object row = Napi::Object::New(env);
    row.Set("path", candidates[i]);
    row.Set("resolvedPath", lib != nullptr ? Napi::Value(Napi::String::New(env, lib->path())) : env.Null());
    row.Set("ok", lib != nullptr);
    row.Set("stub", reason.find("stub") != std::string::npos);
    row.Set("simulator", lib != nullptr && lib->sim() != nullptr);
    row.Set("reason", reason);
    Napi::Array missing = Napi::Array::New(env);
    if (lib != nullptr) {
      for (size_t m = 0; m < lib->missing_optional().size(); ++m) {
        missing.Set(static_cast<uint32_t>(m), lib->missing_optional()[m]);
      }
    }
    row.Set("missingOptional", missing);
    out.Set(static_cast<uint32_t>(i), row);
  }
  return out;
}

}  // namespace ascendcl
