#include "sim_test.h"

#include <cstdlib>

namespace simtest {

int64_t StatField(const std::string &key, int device) {
  std::string json = aclsimStatsJson();
  size_t from = 0;
  if (device >= 0) {
    from = json.find("\"perDevice\"");
    for (int d = 0; d <= device && from != std::string::npos; ++d) from = json.find("{\"id\":", from + 1);
    if (from == std::string::npos) return -1;
  }
  std::string needle = "\"" + key + "\":";
  size_t at = json.find(needle, from);
  if (at == std::string::npos) return -1;
  at += needle.size();
  if (json.compare(at, 4, "true") == 0) return 1;
  if (json.compare(at, 5, "false") == 0) return 0;
  return std::strtoll(json.c_str() + at, nullptr, 10);
}

}  // namespace simtest
