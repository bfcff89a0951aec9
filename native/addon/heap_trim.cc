#include "heap_trim.h"

#include <uv.h>

#include <cstdint>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "addon_data.h"

namespace ascendcl {
namespace {

// A wrapper and its native state are a few hundred bytes: 1024 of them are a few hundred KiB,
// below which trimming is not worth a walk of the heap.
constexpr uint32_t kTrimAfter = 1024;

}  // namespace

class HeapTrimmer {
 public:
  explicit HeapTrimmer(uv_loop_t *loop) {
    idle_ = new uv_idle_t;
    uv_idle_init(loop, idle_);
    idle_->data = this;
  }

  void Note() {
    if (++finalized_ < kTrimAfter || scheduled_) return;
    scheduled_ = true;
    uv_idle_start(idle_, [](uv_idle_t *handle) { static_cast<HeapTrimmer *>(handle->data)->Trim(); });
  }

  // The handle is freed by its close callback, after the loop is done with it.
  void Close() {
    uv_idle_stop(idle_);
    idle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t *>(idle_), [](uv_handle_t *handle) { delete reinterpret_cast<uv_idle_t *>(handle); });
    idle_ = nullptr;
  }

 private:
  void Trim() {
    uv_idle_stop(idle_);
    scheduled_ = false;
    finalized_ = 0;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
  }

  uv_idle_t *idle_;
  uint32_t finalized_ = 0;
  bool scheduled_ = false;
};

HeapTrimmer *CreateHeapTrimmer(Napi::Env env) {
  uv_loop_t *loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return nullptr;
  return new HeapTrimmer(loop);
}

void CloseHeapTrimmer(HeapTrimmer *trimmer) {
  if (trimmer == nullptr) return;
  trimmer->Close();
  delete trimmer;
}

void NoteWrapperFinalized(Napi::Env env) {
  AddonData &data = Data(env);
  if (data.heap_trimmer != nullptr && !data.tearing_down) data.heap_trimmer->Note();
}

}  // namespace ascendcl
