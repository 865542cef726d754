// What `run --kernel` refuses before it touches the machine: scenarios the kernel cannot play.
#include <catch2/catch.hpp>
#include <sstream>

#include "sim/cli/app.hpp"
#include "sim/live/run.hpp"
#include "sim/scenario/loader.hpp"

using namespace tcpsim;

TEST_CASE("A scenario the kernel cannot play is refused naming the field, before any namespace is made") {
  auto r = scenario::load_string(R"({"name": "g", "hosts": [{"name": "s", "ip": "10.1.0.1"}, {"name": "x", "ip": "10.1.0.9", "tcp": false}],
    "links": [{"between": ["s", "x"]}],
    "groups": [{"name": "c", "count": 2, "ip": "10.1.1.1", "link": {"to": "s"}}]})",
                                 "g.json");
  REQUIRE(r.ok());
  const auto problems = live::live_problems(*r.scenario);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] == "/groups/0: a live run makes a namespace per host; write the 2 hosts of group \"c\" out one by one");
  CHECK(problems[1] == "/apps: no host runs an app, so nothing would happen on the kernel");
  CHECK_THROWS_WITH(live::LiveRun(std::move(*r.scenario), {}),
                    "g.json: the kernel cannot play it: /groups/0: a live run makes a namespace per host; write the 2 "
                    "hosts of group \"c\" out one by one; /apps: no host runs an app, so nothing would happen on the kernel");
}

TEST_CASE("run --kernel with a scenario the kernel cannot play exits 2 with one line naming the field") {
  const std::string file = std::string(TCPSIM_SOURCE_DIR) + "/scenarios/performance/churn-1000.json";
  std::ostringstream out, err;
  const char* argv[] = {"tcpsim", "run", "--kernel", file.c_str(), nullptr};
  CHECK(cli::run_cli(4, argv, out, err) == cli::kBadInput);
  CHECK(err.str().rfind("tcpsim run --kernel: ", 0) == 0);
  CHECK(err.str().find("the kernel cannot play it: /groups/0: a live run makes a namespace per host") != std::string::npos);
}
