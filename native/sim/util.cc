#include "sim/util.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdarg>
#include <cstdio>

namespace aclsim {

std::string VSprintf(const char *fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  int needed = std::vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string out;
  if (needed > 0) {
    out.resize(static_cast<size_t>(needed) + 1);
    std::vsnprintf(out.data(), out.size(), fmt, args);
    out.resize(static_cast<size_t>(needed));
  }
  return out;
}

std::string Sprintf(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string out = VSprintf(fmt, args);
  va_end(args);
  return out;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t CurrentThreadId() {
  thread_local const uint64_t tid = static_cast<uint64_t>(syscall(SYS_gettid));
  return tid;
}

std::string Hex(uint64_t value) { return Sprintf("0x%llx", static_cast<unsigned long long>(value)); }

std::string Bytes(uint64_t value) {
  static const char *const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (value < 1024) return Sprintf("%llu bytes", static_cast<unsigned long long>(value));
  double scaled = static_cast<double>(value);
  int unit = -1;
  while (scaled >= 1024.0 && unit < 3) {
    scaled /= 1024.0;
    ++unit;
  }
  return Sprintf("%.1f %s (%llu bytes)", scaled, kUnits[unit], static_cast<unsigned long long>(value));
}

}  // namespace aclsim
