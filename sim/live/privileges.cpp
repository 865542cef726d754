#include "sim/live/privileges.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpsim::live {

std::optional<std::string> missing_privileges() {
  if (geteuid() != 0) {
    return "needs root: network namespaces and TUN devices are created by the run (running as uid " +
           std::to_string(geteuid()) + ")";
  }
  const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return std::string("needs /dev/net/tun (the TUN driver): ") + std::strerror(err);
  }
  close(fd);
  return std::nullopt;
}

}  // namespace tcpsim::live
