// Small helpers shared by the simulator's files: formatting, alignment, clocks, thread ids.
#ifndef ASCENDCL_SIM_UTIL_H_
#define ASCENDCL_SIM_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <cstdarg>
#include <string>

namespace aclsim {

// printf-style formatting into a std::string (GCC 12 has no std::format).
std::string Sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string VSprintf(const char *fmt, va_list args) __attribute__((format(printf, 1, 0)));

// Rounds `value` up to a multiple of `align` (a power of two). Returns false on overflow.
inline bool AlignUp(uint64_t value, uint64_t align, uint64_t *out) {
  if (value > UINT64_MAX - (align - 1)) return false;
  *out = (value + align - 1) & ~(align - 1);
  return true;
}

// Monotonic nanoseconds (steady_clock): event timestamps, deadlines.
int64_t NowNs();

// The kernel thread id of the calling thread (what debuggers and `top -H` show), cached.
uint64_t CurrentThreadId();

// "0x…" for addresses and handles in messages.
std::string Hex(uint64_t value);

// "1.5 GiB (1610612736 bytes)"-style rendering for capacity messages.
std::string Bytes(uint64_t value);

}  // namespace aclsim

#endif  // ASCENDCL_SIM_UTIL_H_
