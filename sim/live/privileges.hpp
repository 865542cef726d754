// What a live run needs from the machine: root (to create network namespaces, move devices and
// read tracefs) and the TUN driver.
#pragma once

#include <optional>
#include <string>

namespace tcpsim::live {

// nullopt when a live run can start here; otherwise one line naming what is missing, e.g.
// "needs root: network namespaces and TUN devices are created by the run (running as uid 1000)".
std::optional<std::string> missing_privileges();

}  // namespace tcpsim::live
