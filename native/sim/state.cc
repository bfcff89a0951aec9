#include "sim/state.h"

#include <pthread.h>

#include "acl/acl_errors.h"
#include "sim/model/model_registry.h"
#include "sim/util.h"

namespace aclsim {

State &State::Get() {
  static State *const state = new State();  // never destroyed (see state.h)
  return *state;
}

State::State() : scheduler(&DeviceLost), callbacks(&scheduler) {
  for (int i = 0; i < kMaxDevices; ++i) devices_[static_cast<size_t>(i)] = std::make_unique<Device>(i);
  // Only the forking thread exists in the child, and locks may be held by threads that do not:
  // the handler just sets a flag.
  pthread_atfork(nullptr, nullptr, [] {
    State &state = State::Get();
    if (state.initialized.load(std::memory_order_relaxed)) state.forked.store(true, std::memory_order_release);
  });
}

bool DeviceLost(int device) {
  return State::Get().device(device).lost_code.load(std::memory_order_acquire) != 0;
}

// --- current context ---------------------------------------------------------------------------

namespace {
// A weak reference: a destroyed context is freed even if threads still name it as current.
thread_local std::weak_ptr<Context> tls_context;
}  // namespace

std::shared_ptr<Context> CurrentContext() {
  std::shared_ptr<Context> context = tls_context.lock();
  if (context != nullptr && context->destroyed()) return nullptr;
  return context;
}

void SetCurrentContext(const std::shared_ptr<Context> &context) { tls_context = context; }

void ClearCurrentContext() { tls_context.reset(); }

// --- creation and teardown ---------------------------------------------------------------------

std::shared_ptr<Context> CreateContextObject(int device, bool is_default, const char *api) {
  State &state = State::Get();
  Origin origin = MakeOrigin(api);
  auto context = std::make_shared<Context>(NewHandleId(HandleKind::kContext), device, is_default, origin);
  auto stream = std::make_shared<Stream>(&state.scheduler, NewHandleId(HandleKind::kStream), device, context->id(),
                                         /*is_default=*/true, origin);
  context->set_default_stream(stream);
  state.streams.Insert(stream->id(), stream);
  state.contexts.Insert(context->id(), context);
  return context;
}

void DestroyStreamObject(const std::shared_ptr<Stream> &stream, bool force) {
  State &state = State::Get();
  bool was_registered = state.streams.Remove(stream->id()) != nullptr;
  stream->Close();
  if (force) stream->DropPending();
  stream->WaitFor(stream->submitted(), -1);
  state.callbacks.ForgetStream(stream->id());
  if (was_registered && !stream->is_default()) state.device(stream->device()).user_streams.fetch_sub(1);
}

void DestroyEventObject(const std::shared_ptr<Event> &event) {
  State &state = State::Get();
  // A record still queued keeps its RecordPoint alive; the Event itself can go now.
  if (state.events.Remove(event->id()) != nullptr) state.device(event->device()).events.fetch_sub(1);
}

void DestroyContextObject(const std::shared_ptr<Context> &context, bool force) {
  State &state = State::Get();
  context->mark_destroyed();
  state.contexts.Remove(context->id());
  uint64_t id = context->id();
  auto streams = state.streams.Select([id](const Stream &s) { return s.context_id() == id; });
  if (force) {
    // Drop everything first, so that no stream waits for a record another one would drop later.
    for (auto &stream : streams) stream->DropPending();
  }
  for (auto &stream : streams) DestroyStreamObject(stream, force);
  for (auto &event : state.events.Select([id](const Event &e) { return e.context_id() == id; })) {
    DestroyEventObject(event);
  }
  // A model belongs to the context it was loaded in; its stream executions are over by now.
  model::ReleaseModelsOfContext(id);
}

void TearDownDevice(Device &device, bool force, const char *released_by) {
  State &state = State::Get();
  std::lock_guard<std::mutex> teardown(device.teardown_mu);
  // Objects created after this point (by a thread that sets the device again meanwhile) survive.
  uint64_t seq_cut = NextSequence();
  {
    std::lock_guard<std::mutex> lock(device.mu);
    device.ref_count = 0;
    device.default_context.reset();
  }
  int id = device.id();
  auto contexts = state.contexts.Select([id, seq_cut](const Context &c) {
    return c.device() == id && c.origin().seq <= seq_cut;
  });
  if (force) {
    for (auto &stream : state.streams.Select([id](const Stream &s) { return s.device() == id; })) {
      stream->DropPending();
    }
  }
  for (auto &context : contexts) DestroyContextObject(context, force);
  // Streams or events whose context is already gone (should not happen, but never leak them).
  for (auto &stream : state.streams.Select([id, seq_cut](const Stream &s) {
         return s.device() == id && s.origin().seq <= seq_cut;
       })) {
    DestroyStreamObject(stream, force);
  }
  for (auto &event : state.events.Select([id, seq_cut](const Event &e) {
         return e.device() == id && e.origin().seq <= seq_cut;
       })) {
    DestroyEventObject(event);
  }
  model::ReleaseModelsOfDevice(id, seq_cut);
  device.memory.ReleaseUpTo(seq_cut, released_by);
  state.host_memory.Release(id, seq_cut, released_by);
  {
    std::lock_guard<std::mutex> lock(device.mu);
    device.lost_reason.clear();
    device.lost_code.store(0, std::memory_order_release);
  }
}

void MarkDeviceLost(int device_id, int code, const char *api) {
  State &state = State::Get();
  Device &device = state.device(device_id);
  {
    std::lock_guard<std::mutex> lock(device.mu);
    if (device.lost_code.load(std::memory_order_relaxed) != 0) return;
    const char *name = acl::ErrorName(code);
    device.lost_reason = Sprintf(
        "device %d is lost after injected fault %d (%s) in %s; reset it (aclrtResetDevice down to reference count 0, "
        "or aclrtResetDeviceForce) to use it again",
        device_id, code, name != nullptr ? name : "unknown", api);
    device.lost_code.store(code, std::memory_order_release);
  }
  // Queued work will never run on a lost device; release whoever waits for it.
  for (auto &stream : state.streams.Select([device_id](const Stream &s) { return s.device() == device_id; })) {
    stream->DropPending();
  }
}

}  // namespace aclsim
