// aclsimStatsJson and aclsimLeakReport: snapshots of the live tables, for leak checks and
// dashboards. Both walk the registries under their own locks; neither is on a hot path.
#ifndef ASCENDCL_SIM_REPORT_H_
#define ASCENDCL_SIM_REPORT_H_

#include <string>

namespace aclsim {

// One JSON object with stable camelCase keys (see README.md).
std::string BuildStatsJson();

// Everything still live (allocations, pinned host memory, explicit contexts, user streams, events,
// devices still set), oldest first, or a line saying nothing is live.
std::string BuildLeakReport();

}  // namespace aclsim

#endif  // ASCENDCL_SIM_REPORT_H_
