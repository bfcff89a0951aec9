// Simulator options: the values aclInit uses, where they come from (aclsimSetOption, else the
// ASCENDCL_SIM_* environment variable, else the default) and their canonical string forms.
#ifndef ASCENDCL_SIM_CONFIG_H_
#define ASCENDCL_SIM_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aclsim {

constexpr int kMaxDevices = 64;

// One fault rule: the nth call (1-based; 0 = every call) of exported function `api` fails with
// `code`.
struct FaultSpec {
  std::string api;
  uint64_t nth = 0;
  int code = 0;
};

struct Options {
  int devices = 1;
  uint64_t memory_bytes = uint64_t{8} << 30;  // per device
  std::string soc_name = "Ascend910B4";
  int threads = 0;  // executor threads for model work; 0 until resolved (online CPUs)
  int max_streams = 1024;  // user-created streams per device
  int max_events = 4096;   // events per device
  bool strict = true;
  std::vector<FaultSpec> faults;
};

// Explicit option values (aclsimSetOption) and their resolution against the environment.
// Not thread-safe: the caller holds the state's lifecycle lock.
class OptionStore {
 public:
  // Records `value` for option `name` after validating it; nullptr forgets the explicit value.
  // Returns false with a message naming the option (unknown name or bad value).
  bool Set(const std::string &name, const char *value, std::string *error);

  // The effective options. Fails with a message naming the variable when an ASCENDCL_SIM_* value
  // that is consulted (the option was not set explicitly) does not parse.
  bool Resolve(Options *out, std::string *error) const;

  // Bumped whenever the faults option changes, so aclInit registers option faults only once per
  // value (re-registering at every init would restart their call counts).
  uint64_t faults_generation() const { return faults_generation_; }

 private:
  std::map<std::string, std::string> explicit_;
  uint64_t faults_generation_ = 1;
};

bool IsKnownOption(const std::string &name);

// The canonical string of one option (memoryBytes in bytes, strict as 1/0, faults as
// "api:nth:code,..." with '*' for every call). Empty for an unknown name.
std::string FormatOption(const Options &options, const std::string &name);

// "1073741824", "1 GiB", "512MiB", "4K", "2GB" (K/M/G/T units are binary: 1 KB = 1024 bytes).
bool ParseByteSize(const std::string &text, uint64_t *out);

// "api:nth:code[,api:nth:code...]" with nth a number or '*'; "" = no faults.
bool ParseFaults(const std::string &text, std::vector<FaultSpec> *out, std::string *error);
std::string FormatFaults(const std::vector<FaultSpec> &faults);

}  // namespace aclsim

#endif  // ASCENDCL_SIM_CONFIG_H_
