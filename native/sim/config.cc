#include "sim/config.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "acl/acl_errors.h"
#include "sim/faults.h"
#include "sim/util.h"

namespace aclsim {
namespace {

std::string Trim(const std::string &s) {
  size_t begin = 0, end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  return s.substr(begin, end - begin);
}

std::string Lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Strict decimal parse of the whole string (no sign, no spaces, no trailing garbage).
bool ParseUnsigned(const std::string &text, uint64_t *out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

bool ParseIntInRange(const std::string &text, int64_t lo, int64_t hi, int *out) {
  uint64_t v = 0;
  if (!ParseUnsigned(Trim(text), &v) || v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi)) return false;
  *out = static_cast<int>(v);
  return true;
}

int OnlineCpus() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

// Memory per device is bounded so that reserving 4x of it for every device stays within the
// 47-bit user address space.
constexpr uint64_t kMaxMemoryBytes = uint64_t{16} << 40;
constexpr int kMaxStreamLimit = 1 << 20;
constexpr int kMaxEventLimit = 1 << 22;

struct OptionDef {
  const char *name;
  const char *env;
  const char *expected;  // what a valid value looks like, for messages
  // Parses `value` into `options`; false when it is not valid.
  bool (*apply)(const std::string &value, Options *options);
};

const OptionDef kOptions[] = {
    {"devices", "ASCENDCL_SIM_DEVICES", "an integer from 1 to 64",
     [](const std::string &v, Options *o) { return ParseIntInRange(v, 1, kMaxDevices, &o->devices); }},
    {"memoryBytes", "ASCENDCL_SIM_MEMORY", "a byte count such as 8589934592, 8GiB or 512 MiB (1 byte to 16 TiB)",
     [](const std::string &v, Options *o) {
       uint64_t bytes = 0;
       if (!ParseByteSize(v, &bytes) || bytes == 0 || bytes > kMaxMemoryBytes) return false;
       o->memory_bytes = bytes;
       return true;
     }},
    {"socName", "ASCENDCL_SIM_SOC", "a non-empty name of at most 63 printable characters",
     [](const std::string &v, Options *o) {
       if (v.empty() || v.size() > 63) return false;
       for (char c : v) {
         if (!std::isprint(static_cast<unsigned char>(c))) return false;
       }
       o->soc_name = v;
       return true;
     }},
    {"threads", "ASCENDCL_SIM_THREADS", "an integer from 1 to 1024",
     [](const std::string &v, Options *o) { return ParseIntInRange(v, 1, 1024, &o->threads); }},
    {"maxStreams", "ASCENDCL_SIM_MAX_STREAMS", "an integer from 1 to 1048576",
     [](const std::string &v, Options *o) { return ParseIntInRange(v, 1, kMaxStreamLimit, &o->max_streams); }},
    {"maxEvents", "ASCENDCL_SIM_MAX_EVENTS", "an integer from 1 to 4194304",
     [](const std::string &v, Options *o) { return ParseIntInRange(v, 1, kMaxEventLimit, &o->max_events); }},
    {"strict", "ASCENDCL_SIM_STRICT", "1, 0, true or false",
     [](const std::string &v, Options *o) {
       std::string s = Lower(Trim(v));
       if (s == "1" || s == "true") {
         o->strict = true;
       } else if (s == "0" || s == "false") {
         o->strict = false;
       } else {
         return false;
       }
       return true;
     }},
    {"faults", "ASCENDCL_SIM_FAULTS", "\"api:nth:code[,api:nth:code...]\" with nth a number or *",
     [](const std::string &v, Options *o) {
       std::string ignored;
       return ParseFaults(v, &o->faults, &ignored);
     }},
};

const OptionDef *FindOption(const std::string &name) {
  for (const OptionDef &def : kOptions) {
    if (name == def.name) return &def;
  }
  return nullptr;
}

}  // namespace

bool IsKnownOption(const std::string &name) { return FindOption(name) != nullptr; }

bool ParseByteSize(const std::string &text, uint64_t *out) {
  std::string s = Trim(text);
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  uint64_t number = 0;
  if (digits == 0 || !ParseUnsigned(s.substr(0, digits), &number)) return false;
  std::string unit = Lower(Trim(s.substr(digits)));
  int shift = 0;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    shift = 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    shift = 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    shift = 30;
  } else if (unit == "t" || unit == "tb" || unit == "tib") {
    shift = 40;
  } else {
    return false;
  }
  if (shift != 0 && number > (UINT64_MAX >> shift)) return false;
  *out = number << shift;
  return true;
}

bool ParseFaults(const std::string &text, std::vector<FaultSpec> *out, std::string *error) {
  std::vector<FaultSpec> faults;
  std::string all = Trim(text);
  size_t pos = 0;
  while (!all.empty() && pos <= all.size()) {
    size_t comma = all.find(',', pos);
    std::string item = Trim(all.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
    pos = comma == std::string::npos ? all.size() + 1 : comma + 1;
    size_t c1 = item.find(':');
    size_t c2 = c1 == std::string::npos ? std::string::npos : item.find(':', c1 + 1);
    if (c2 == std::string::npos) {
      *error = "fault \"" + item + "\" is not of the form api:nth:code";
      return false;
    }
    FaultSpec spec;
    spec.api = Trim(item.substr(0, c1));
    std::string nth = Trim(item.substr(c1 + 1, c2 - c1 - 1));
    std::string code = Trim(item.substr(c2 + 1));
    if (!IsFaultableApi(spec.api)) {
      *error = "fault \"" + item + "\": \"" + spec.api + "\" is not a faultable AscendCL function of the simulator";
      return false;
    }
    if (nth == "*") {
      spec.nth = 0;
    } else if (!ParseUnsigned(nth, &spec.nth) || spec.nth == 0) {
      *error = "fault \"" + item + "\": nth must be a positive call number or *";
      return false;
    }
    uint64_t code_value = 0;
    if (!ParseUnsigned(code, &code_value) || code_value == 0 || code_value > 999999) {
      *error = "fault \"" + item + "\": code must be a positive AscendCL error code";
      return false;
    }
    spec.code = static_cast<int>(code_value);
    faults.push_back(std::move(spec));
  }
  *out = std::move(faults);
  return true;
}

std::string FormatFaults(const std::vector<FaultSpec> &faults) {
  std::string out;
  for (const FaultSpec &f : faults) {
    if (!out.empty()) out += ',';
    out += f.api + ':' + (f.nth == 0 ? std::string("*") : std::to_string(f.nth)) + ':' + std::to_string(f.code);
  }
  return out;
}

bool OptionStore::Set(const std::string &name, const char *value, std::string *error) {
  const OptionDef *def = FindOption(name);
  if (def == nullptr) {
    *error = "unknown option \"" + name +
             "\" (known: devices, memoryBytes, socName, threads, maxStreams, maxEvents, strict, faults)";
    return false;
  }
  if (value == nullptr) {
    if (explicit_.erase(name) != 0 && name == "faults") ++faults_generation_;
    return true;
  }
  Options scratch;
  if (!def->apply(value, &scratch)) {
    std::string detail;
    if (name == "faults") ParseFaults(value, &scratch.faults, &detail);
    *error = "bad value \"" + std::string(value) + "\" for option " + name + ": expected " + def->expected +
             (detail.empty() ? "" : " (" + detail + ")");
    return false;
  }
  if (name == "faults") ++faults_generation_;
  explicit_[name] = value;
  return true;
}

bool OptionStore::Resolve(Options *out, std::string *error) const {
  Options options;
  for (const OptionDef &def : kOptions) {
    auto it = explicit_.find(def.name);
    if (it != explicit_.end()) {
      def.apply(it->second, &options);  // validated by Set
      continue;
    }
    const char *env = std::getenv(def.env);
    if (env == nullptr) continue;
    if (!def.apply(env, &options)) {
      std::string detail;
      if (std::string(def.name) == "faults") ParseFaults(env, &options.faults, &detail);
      *error = "environment variable " + std::string(def.env) + "=\"" + env + "\" is invalid: expected " +
               def.expected + (detail.empty() ? "" : " (" + detail + ")");
      return false;
    }
  }
  if (options.threads == 0) options.threads = OnlineCpus();
  *out = std::move(options);
  return true;
}

std::string FormatOption(const Options &o, const std::string &name) {
  if (name == "devices") return std::to_string(o.devices);
  if (name == "memoryBytes") return std::to_string(o.memory_bytes);
  if (name == "socName") return o.soc_name;
  if (name == "threads") return std::to_string(o.threads);
  if (name == "maxStreams") return std::to_string(o.max_streams);
  if (name == "maxEvents") return std::to_string(o.max_events);
  if (name == "strict") return o.strict ? "1" : "0";
  if (name == "faults") return FormatFaults(o.faults);
  return "";
}

}  // namespace aclsim
