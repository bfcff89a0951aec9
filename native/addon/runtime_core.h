// The native state behind one JS Runtime: the share of the process-wide AscendCL it holds, its
// open devices, and the live-object counters behind rt.stats().
//
// Ownership (design.md §5): Runtime → Device → {Stream, Event, DeviceBuffer, HostBuffer}.
// A RuntimeCore is kept alive by its RuntimeWrap and by every DeviceCore; closing it closes the
// devices first. Thread: JS thread only.
#ifndef ASCENDCL_ADDON_RUNTIME_CORE_H_
#define ASCENDCL_ADDON_RUNTIME_CORE_H_

#include <napi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "process_runtime.h"

namespace ascendcl {

class DeviceCore;
struct AddonData;

// Live objects of one runtime, counted from creation until native release.
struct LiveStats {
  int64_t device_buffers = 0;
  int64_t host_buffers = 0;
  int64_t streams = 0;
  int64_t events = 0;
  int64_t models = 0;
  int64_t device_bytes = 0;
  int64_t host_bytes = 0;
};

class RuntimeCore {
 public:
  RuntimeCore(AddonData *data, RuntimeInfo info);
  ~RuntimeCore();

  const RuntimeInfo &info() const { return info_; }
  bool closed() const { return closed_; }
  AddonData *data() const { return data_; }
  LiveStats &stats() { return stats_; }
  // Operations enqueued on this runtime's streams whose completion has not been observed.
  int64_t PendingOps() const;
  // Bytes the devices' caching pools hold.
  int64_t PoolBytes() const;

  // The one DeviceCore per id (opened on first use).
  std::shared_ptr<DeviceCore> OpenDevice(Napi::Env env, int id, const std::shared_ptr<RuntimeCore> &self);
  void ForgetDevice(int id) { devices_.erase(id); }

  // Close every device (children first), then release this runtime's share of AscendCL.
  void Close();

 private:
  AddonData *data_;
  RuntimeInfo info_;
  bool closed_ = false;
  LiveStats stats_;
  std::map<int, std::weak_ptr<DeviceCore>> devices_;
};

}  // namespace ascendcl

#endif  // ASCENDCL_ADDON_RUNTIME_CORE_H_
