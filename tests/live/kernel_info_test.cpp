// kernel_info(): the release as uname says it, and HZ from the kernel's configuration.
#include <sys/utsname.h>

#include <catch2/catch.hpp>
#include <string>

#include "sim/live/tracefs.hpp"

using tcpsim::live::config_hz;

TEST_CASE("The kernel's release is uname's and its HZ is known", "[kernel-info]") {
  const auto info = tcpsim::live::kernel_info();
  utsname u{};
  REQUIRE(uname(&u) == 0);
  CHECK(info.release == u.release);
  REQUIRE(info.hz.has_value());
  CHECK(*info.hz > 0);
  CHECK((info.hz_source == "config" || info.hz_source == "measured"));
}

TEST_CASE("CONFIG_HZ is read from a kernel configuration's own line", "[kernel-info]") {
  CHECK(config_hz("CONFIG_HZ_250=y\nCONFIG_HZ=250\nCONFIG_SCHED_HRTICK=y\n") == 250);
  CHECK(config_hz("# CONFIG_HZ_PERIODIC is not set\nCONFIG_HZ=1000") == 1000);
  CHECK_FALSE(config_hz("CONFIG_HZ_300=y\n# CONFIG_HZ is not set\n"));
  CHECK_FALSE(config_hz("CONFIG_HZ=\n"));
  CHECK_FALSE(config_hz(""));
}
