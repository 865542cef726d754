// Tests that make real sockets, namespaces and TUN devices. Each test case is its own CTest
// (catch_discover_tests); without root or /dev/net/tun a case exits 77, which CTest counts as
// skipped. Listing the tests (at build time) needs neither.
#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string_view>

int main(int argc, char* argv[]) {
  bool listing = false;
  for (int i = 1; i < argc; ++i) listing = listing || std::string_view(argv[i]).rfind("--list", 0) == 0;
  if (!listing) {
    if (geteuid() != 0) {
      std::fprintf(stderr, "skipped: needs root (network namespaces and TUN devices)\n");
      return 77;
    }
    const int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
      std::fprintf(stderr, "skipped: /dev/net/tun cannot be opened\n");
      return 77;
    }
    close(fd);
  }
  return Catch::Session().run(argc, argv);
}
