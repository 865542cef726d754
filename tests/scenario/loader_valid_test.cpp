// Valid scenarios: every field lands in the right struct member, defaults apply, and the
// documented examples load.

#include <catch2/catch.hpp>

#include <fstream>
#include <limits>
#include <sstream>

#include "loader_support.hpp"

using namespace tcpsim;
using namespace tcpsim::scenario;
using namespace tcpsim::scenario::testing;
using namespace tcpsim::sim::literals;

namespace {

constexpr std::string_view kFull = R"({
  "name": "full-example_1.0",
  "description": "Every field of the format.",
  "seed": 18446744073709551615,
  "profile": "linux",
  "until": "2.5s",
  "hosts": [
    { "name": "client", "ip": "10.0.0.1" },
    { "name": "server", "ip": "10.0.0.2" }
  ],
  "routers": [ { "name": "r1", "ip": "10.0.0.254" }, { "name": "r2" } ],
  "links": [
    { "between": ["client", "r1"], "delay": "10ms", "jitter": "2ms", "bandwidth": "1.5Mbps", "queue": 20,
      "loss": 0.25, "duplicate": 0.5, "reorder": 0.125, "reorder_delay": "3ms",
      "a_to_b": { "delay": "20ms", "loss": { "gilbert_elliott": { "p_good_to_bad": 0.01, "p_bad_to_good": 0.5,
                                                                  "loss_good": 0.001, "loss_bad": 0.75 } } },
      "b_to_a": { "bandwidth": "2Gbps", "queue": 1 } },
    { "between": ["r1", "r2"] },
    { "between": ["r2", "server"], "bandwidth": "64kbps",
      "loss": { "gilbert_elliott": { "p_good_to_bad": 0, "p_bad_to_good": 1 } } }
  ],
  "faults": [
    { "action": "drop", "match": { "from": "client", "to": "10.0.0.2", "flags": "SYN", "dport": 80 }, "nth": 2 },
    { "action": "delay", "delay": "300ms", "match": { "flags_include": "ACK", "sport": 80, "seq": 4294967295,
                                                      "ack": 7, "len": 0, "after": "1s", "before": "2s" },
      "nth": [2, 3] },
    { "action": "duplicate", "nth": "every" },
    { "action": "corrupt", "match": {} }
  ],
  "inject": [
    { "at": "1ms", "src": "client", "dst": "server", "sport": 1234, "dport": 80, "seq": 4294967295, "ack": 0,
      "flags": "SYN", "window": 1024, "urgent": 3,
      "options": { "mss": 1460, "wscale": 14, "sack_permitted": true, "timestamps": [4294967295, 0] } },
    { "at": "5ms", "src": "192.0.2.7", "dst": "10.0.0.2", "via": "r1", "sport": 0, "dport": 65535,
      "flags": "PSH,ACK", "payload": "hello" },
    { "at": "6ms", "src": "r1", "dst": "client", "sport": 1, "dport": 2, "len": 100 },
    { "at": "7ms", "src": "server", "dst": "client", "sport": 80, "dport": 1234, "len": 2, "payload": "ok" }
  ],
  "notes": [ { "at": "0s", "text": "start" }, { "at": "5ms", "text": "a spoofed segment arrives" } ]
})";

net::Ipv4 ip(const char* text) { return *net::Ipv4::parse(text); }

}  // namespace

TEST_CASE("A full scenario maps every field into the structs", "[loader]") {
  const Scenario s = loaded(load(kFull));
  CHECK(s.name == "full-example_1.0");
  CHECK(s.description == "Every field of the format.");
  CHECK(s.source == "test.json");
  CHECK(s.seed == std::numeric_limits<std::uint64_t>::max());
  CHECK(s.profile == Profile::Linux);
  REQUIRE(s.until.has_value());
  CHECK(*s.until == 2500_ms);

  SECTION("nodes: hosts, then routers, in file order") {
    REQUIRE(s.nodes.size() == 4);
    CHECK(s.nodes[0].name == "client");
    CHECK(s.nodes[0].ip == ip("10.0.0.1"));
    CHECK_FALSE(s.nodes[0].router);
    CHECK(s.nodes[1].name == "server");
    CHECK(s.nodes[2].name == "r1");
    CHECK(s.nodes[2].router);
    CHECK(s.nodes[2].ip == ip("10.0.0.254"));
    CHECK(s.nodes[3].name == "r2");
    CHECK_FALSE(s.nodes[3].ip.has_value());
  }

  SECTION("links: shared parameters, per-direction overrides, loss models") {
    REQUIRE(s.links.size() == 3);
    const net::LinkConfig& l = s.links[0];
    CHECK(l.a == "client");
    CHECK(l.b == "r1");
    // a_to_b overrides the delay and the loss model; the rest is shared.
    CHECK(l.a_to_b.delay == 20_ms);
    CHECK(l.a_to_b.jitter == 2_ms);
    CHECK(l.a_to_b.bandwidth_bps == 1'500'000);
    CHECK(l.a_to_b.queue_limit == 20);
    CHECK(l.a_to_b.loss.kind == net::LossModel::Kind::GilbertElliott);
    CHECK(l.a_to_b.loss.ge == net::GilbertElliott{0.01, 0.5, 0.001, 0.75});
    CHECK(l.a_to_b.duplicate == 0.5);
    CHECK(l.a_to_b.reorder == 0.125);
    CHECK(l.a_to_b.reorder_delay == 3_ms);
    // b_to_a overrides the bandwidth and the queue.
    CHECK(l.b_to_a.delay == 10_ms);
    CHECK(l.b_to_a.bandwidth_bps == 2'000'000'000);
    CHECK(l.b_to_a.queue_limit == 1);
    CHECK(l.b_to_a.loss.kind == net::LossModel::Kind::Bernoulli);
    CHECK(l.b_to_a.loss.rate == 0.25);
    // Defaults.
    CHECK(s.links[1].a_to_b == net::LinkParams{});
    CHECK(s.links[1].b_to_a == net::LinkParams{});
    CHECK(s.links[2].a_to_b.bandwidth_bps == 64'000);
    CHECK(s.links[2].b_to_a.loss.ge == net::GilbertElliott{0.0, 1.0, 0.0, 1.0});
  }

  SECTION("faults: actions, matches and the nth forms") {
    REQUIRE(s.faults.size() == 4);
    const net::FaultRule& drop = s.faults[0];
    CHECK(drop.action == trace::FaultAction::Drop);
    CHECK(drop.match.from == ip("10.0.0.1"));
    CHECK(drop.match.to == ip("10.0.0.2"));
    CHECK(drop.match.flags == net::Flags{.syn = true});
    CHECK(drop.match.dport == 80);
    CHECK_FALSE(drop.match.sport.has_value());
    CHECK(drop.first == 2);
    CHECK(drop.last == 2);

    const net::FaultRule& delay = s.faults[1];
    CHECK(delay.action == trace::FaultAction::Delay);
    CHECK(delay.delay == 300_ms);
    CHECK(delay.match.flags_include == net::Flags{.ack = true});
    CHECK_FALSE(delay.match.flags.has_value());
    CHECK(delay.match.sport == 80);
    CHECK(delay.match.seq == net::SeqNum(4294967295u));
    CHECK(delay.match.ack == net::SeqNum(7));
    CHECK(delay.match.len == 0u);
    CHECK(delay.match.after == sim::Time::zero() + 1_s);
    CHECK(delay.match.before == sim::Time::zero() + 2_s);
    CHECK(delay.first == 2);
    CHECK(delay.last == 3);

    CHECK(s.faults[2].action == trace::FaultAction::Duplicate);
    CHECK(s.faults[2].first == 1);
    CHECK(s.faults[2].last == std::numeric_limits<std::uint64_t>::max());
    CHECK(s.faults[3].action == trace::FaultAction::Corrupt);
    CHECK_FALSE(s.faults[3].match.from.has_value());
  }

  SECTION("injections: segment fields, options, payload and via") {
    REQUIRE(s.injections.size() == 4);
    const net::Injection& syn = s.injections[0];
    CHECK(syn.at == sim::Time::zero() + 1_ms);
    CHECK(syn.via == "client");  // the node that owns src
    const net::Segment expected{.src = ip("10.0.0.1"),
                                .dst = ip("10.0.0.2"),
                                .sport = 1234,
                                .dport = 80,
                                .seq = net::SeqNum(4294967295u),
                                .ack = net::SeqNum(0),
                                .flags = {.syn = true},
                                .window = 1024,
                                .urgent = 3,
                                .options = {.mss = 1460,
                                            .wscale = 14,
                                            .sack_permitted = true,
                                            .timestamps = net::Timestamps{4294967295u, 0}}};
    CHECK(syn.segment == expected);

    const net::Injection& spoofed = s.injections[1];
    CHECK(spoofed.via == "r1");
    CHECK(spoofed.segment.src == ip("192.0.2.7"));
    CHECK(spoofed.segment.sport == 0);
    CHECK(spoofed.segment.dport == 65535);
    CHECK(spoofed.segment.flags == net::Flags{.ack = true, .psh = true});
    CHECK(spoofed.segment.window == 65535);  // default
    CHECK(spoofed.segment.payload_len == 5);
    CHECK(spoofed.segment.payload.bytes() == std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'});

    const net::Injection& from_router = s.injections[2];
    CHECK(from_router.via == "r1");  // r1 owns 10.0.0.254
    CHECK(from_router.segment.src == ip("10.0.0.254"));
    CHECK(from_router.segment.payload_len == 100);
    CHECK_FALSE(from_router.segment.payload.has_bytes());
    CHECK(from_router.segment.flags.none());

    CHECK(s.injections[3].segment.payload_len == 2);
    CHECK(s.injections[3].segment.payload.has_bytes());
  }

  SECTION("notes") {
    REQUIRE(s.notes.size() == 2);
    CHECK(s.notes[0].at == sim::Time::zero());
    CHECK(s.notes[0].text == "start");
    CHECK(s.notes[1].at == sim::Time::zero() + 5_ms);
    CHECK(s.notes[1].text == "a spoofed segment arrives");
  }
}

TEST_CASE("A minimal scenario takes the documented defaults", "[loader]") {
  const Scenario s = loaded(load(R"({"name": "m", "hosts": [{"name": "a", "ip": "10.0.0.1"}]})"));
  CHECK(s.description.empty());
  CHECK(s.seed == 1);
  CHECK(s.profile == Profile::Rfc9293);
  CHECK_FALSE(s.until.has_value());
  CHECK(s.links.empty());
  CHECK(s.faults.empty());
  CHECK(s.injections.empty());
  CHECK(s.notes.empty());
}

TEST_CASE("The line and column of an error deep in the file are exact", "[loader]") {
  // Tabs count as one column, a multi-byte UTF-8 character as one, a CRLF line end as one line.
  const std::string text =
      "{\r\n"
      "  \"name\": \"deep\",\r\n"
      "  \"description\": \"caf\xC3\xA9 \xE2\x86\x92 server\",\r\n"
      "  \"hosts\": [\r\n"
      "    {\"name\": \"client\", \"ip\": \"10.0.0.1\"},\r\n"
      "    {\"name\": \"server\", \"ip\": \"10.0.0.2\"}\r\n"
      "  ],\r\n"
      "  \"links\": [{\"between\": [\"client\", \"server\"]}],\r\n"
      "  \"faults\": [\r\n"
      "    {\"action\": \"drop\"},\r\n"
      "    {\"action\": \"delay\", \"delay\": \"1ms\",\r\n"
      "     \"match\": {\r\n"
      "\t\"from\": \"client\", \"note\": \"\xC3\xA9\xC3\xA9\", \"sport\": 99999 }}\r\n"
      "  ]\r\n"
      "}\r\n";
  const auto r = load(text);
  INFO(report(r));
  REQUIRE(r.errors.size() == 2);
  check_error(r.errors[0], 13, 20, "/faults/1/match/note", "unknown field \"note\"");
  check_error(r.errors[1], 13, 43, "/faults/1/match/sport", "expected an integer in [0, 65535], found 99999");
}

TEST_CASE("A byte order mark at the start is accepted and not counted as a column", "[loader]") {
  const auto r = load("\xEF\xBB\xBF{\"name\": 5, \"hosts\": [{\"name\": \"a\", \"ip\": \"10.0.0.1\"}]}");
  check_error(only_error(r), 1, 10, "/name", "expected a non-empty string, found number 5");
}

TEST_CASE("Keys that need escaping in a JSON pointer are escaped", "[loader]") {
  const std::string text = R"({"name": "t", "hosts": [{"name": "a", "ip": "10.0.0.1"}], "a/b~c": 1})";
  check_error(only_error(load(text)), where(text, "\"a/b"), "/a~1b~0c", "unknown field \"a/b~c\"");
}

TEST_CASE("The complete examples in scenarios/README.md load without errors", "[loader]") {
  std::ifstream in(std::string(TCPSIM_SOURCE_DIR) + "/scenarios/README.md");
  REQUIRE(in);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string doc = buffer.str();
  // Complete scenarios are fenced as ```json; fragments use ```jsonc.
  int examples = 0;
  for (std::size_t at = doc.find("```json\n"); at != std::string::npos; at = doc.find("```json\n", at)) {
    const std::size_t start = at + 8;
    const std::size_t end = doc.find("```", start);
    REQUIRE(end != std::string::npos);
    const auto r = load_string(doc.substr(start, end - start), "README.md example " + std::to_string(++examples));
    INFO(report(r));
    CHECK(r.ok());
    at = end + 3;
  }
  CHECK(examples >= 2);
}
