#include <catch2/catch.hpp>

#include "sim/live/privileges.hpp"

TEST_CASE("A live run can start where the tests run as root with the TUN driver") {
  CHECK_FALSE(tcpsim::live::missing_privileges().has_value());
}
