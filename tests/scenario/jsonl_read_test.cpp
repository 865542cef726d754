// Reading JSON Lines traces back (sim/trace/jsonl_read.hpp): every bundled scenario's trace
// survives the round trip, so does a trace's metadata line, and each kind of bad input is refused
// with file:line and the rule.

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "sim/scenario/loader.hpp"
#include "sim/scenario/world.hpp"
#include "sim/trace/jsonl.hpp"
#include "sim/trace/jsonl_read.hpp"

using namespace tcpsim;
namespace fs = std::filesystem;

namespace {

std::string jsonl(const trace::Trace& t) {
  std::ostringstream out;
  trace::JsonlSink sink(out);
  for (const auto& r : t.records()) sink.write(r, t);
  return out.str();
}

// The error reading `text` gives (the read must fail).
std::string error_of(const std::string& text) {
  std::istringstream in(text);
  const trace::JsonlRead r = trace::read_jsonl(in, "bad.jsonl");
  REQUIRE_FALSE(r.trace);
  REQUIRE(r.error);
  return r.error->to_string();
}

const std::string kSend =
    R"({"i":0,"t_ns":0,"kind":"send","node":"A","seg":0,"src":"10.0.0.1:1024","dst":"10.0.0.2:80",)"
    R"("flags":"SYN","seq":100,"ack":0,"win":65535,"len":0})";

}  // namespace

TEST_CASE("Every bundled scenario's trace reads back to the same JSON Lines", "[jsonl]") {
  int scenarios = 0;
  for (const auto& entry : fs::recursive_directory_iterator(std::string(TCPSIM_SOURCE_DIR) + "/scenarios")) {
    if (entry.path().extension() != ".json") continue;
    auto loaded = scenario::load_file(entry.path().string());
    if (!loaded.ok()) continue;  // the loader's own tests cover invalid files
    INFO(entry.path().string());
    scenario::World world(std::move(*loaded.scenario));
    world.run();
    const std::string written = jsonl(world.trace());
    std::istringstream in(written);
    const trace::JsonlRead back = trace::read_jsonl(in, entry.path().string());
    INFO((back.error ? back.error->to_string() : std::string()));
    REQUIRE(back.trace);
    CHECK(back.trace->records().size() == world.trace().records().size());
    CHECK(jsonl(*back.trace) == written);
    // The counters follow from the records read, as they did in the run.
    CHECK(back.trace->segments().sent == world.trace().segments().sent);
    CHECK(back.trace->segments().dropped_total() == world.trace().segments().dropped_total());
    ++scenarios;
  }
  CHECK(scenarios > 50);
}

TEST_CASE("A trace read back keeps its text after the reader is gone and when copied", "[jsonl]") {
  const std::string line =
      R"({"i":0,"t_ns":5,"kind":"state","node":"B","conn":"10.0.0.2:80-10.0.0.1:1024","from":"LISTEN",)"
      R"("to":"SYN_RECEIVED","cause":"a rule of its own"})";
  std::optional<trace::Trace> copy;
  {
    std::istringstream in(line + "\n");
    auto r = trace::read_jsonl(in, "t.jsonl");
    REQUIRE(r.trace);
    copy = *r.trace;
  }
  const auto& st = std::get<trace::StateChanged>(copy->records().at(0).body);
  CHECK(st.to == "SYN_RECEIVED");
  CHECK(st.cause == "a rule of its own");
  CHECK(jsonl(*copy) == line + "\n");
}

TEST_CASE("Bad JSON names the file, line and column", "[jsonl]") {
  CHECK(error_of(kSend + "\n{\"i\":1, oops}\n").starts_with("bad.jsonl:2:9: invalid JSON: "));
}

TEST_CASE("A line that is not an object is refused", "[jsonl]") {
  CHECK(error_of("[1,2]\n") == "bad.jsonl:1: expected a JSON object (one trace record), found [1,2]");
}

TEST_CASE("An unknown record kind lists the kinds", "[jsonl]") {
  const std::string e = error_of(R"({"i":0,"t_ns":0,"kind":"teleport"})");
  CHECK(e.starts_with("bad.jsonl:1: /kind: expected one of \"send\", \"deliver\""));
  CHECK(e.ends_with("found \"teleport\""));
}

TEST_CASE("A missing field says which and what it should hold", "[jsonl]") {
  std::string line = kSend;
  line.replace(line.find(R"("seq":100,)"), 10, "");
  CHECK(error_of(line) == "bad.jsonl:1: missing field \"seq\" of a \"send\" record: expected an unsigned integer up to 4294967295");
}

TEST_CASE("A field of the wrong type or range is refused with its pointer", "[jsonl]") {
  std::string line = kSend;
  line.replace(line.find("65535"), 5, "\"big\"");
  CHECK(error_of(line) == "bad.jsonl:1: /win: expected an unsigned integer up to 65535, found \"big\"");
  line = kSend;
  line.replace(line.find("65535"), 5, "65536");
  CHECK(error_of(line) == "bad.jsonl:1: /win: expected an unsigned integer up to 65535, found 65536");
  line = kSend;
  line.replace(line.find("\"SYN\""), 5, "\"SYN,BOGUS\"");
  CHECK(error_of(line).starts_with("bad.jsonl:1: /flags: expected control bits among SYN, FIN"));
  line = kSend;
  line.replace(line.find("10.0.0.2:80"), 11, "10.0.0.2");
  CHECK(error_of(line) == "bad.jsonl:1: /dst: expected an endpoint such as \"10.0.0.1:80\", found \"10.0.0.2\"");
}

TEST_CASE("A field the kind never writes is refused", "[jsonl]") {
  std::string line = kSend;
  line.insert(line.size() - 1, R"(,"colour":"red")");
  CHECK(error_of(line) == "bad.jsonl:1: /colour: unknown field of a \"send\" record");
  line = kSend;
  line.insert(line.size() - 1, R"(,"options":{"mss":1460,"sack":true})");
  CHECK(error_of(line) == "bad.jsonl:1: /options/sack: unknown field of a segment's options");
}

TEST_CASE("Records out of order are refused", "[jsonl]") {
  std::string second = kSend;
  second.replace(second.find("\"i\":0"), 5, "\"i\":2");
  CHECK(error_of(kSend + "\n" + second + "\n") ==
        "bad.jsonl:2: /i: expected record index 1 (records are numbered in order from 0), found 2");
}

TEST_CASE("Enumerated values list what is allowed", "[jsonl]") {
  const std::string line =
      R"({"i":0,"t_ns":0,"kind":"drop","node":"A","seg":0,"reason":"gremlins"})";
  CHECK(error_of(line) ==
        "bad.jsonl:1: /reason: expected \"loss\", \"fault\", \"queue-overflow\", \"no-route\" or \"bad-checksum\", "
        "found \"gremlins\"");
}

TEST_CASE("Metadata is written ahead of record 0 in the order it was first set, and read back the same", "[jsonl][meta]") {
  trace::Trace t;
  t.set_meta("source", "kernel");
  t.set_meta("kernel", "6.18.44");
  t.set_meta("hz", "250");
  t.set_meta("kernel", "6.18.45");  // replaced where it stands
  std::ostringstream out;
  trace::JsonlSink sink(out);
  t.add_sink(&sink);
  t.emit(sim::Time::from_ns(5), trace::Note{.text = "hello"});
  t.finish();
  const std::string written = out.str();
  CHECK(written ==
        "{\"meta\":{\"source\":\"kernel\",\"kernel\":\"6.18.45\",\"hz\":\"250\"}}\n"
        "{\"i\":0,\"t_ns\":5,\"kind\":\"note\",\"text\":\"hello\"}\n");

  std::istringstream in(written);
  const trace::JsonlRead back = trace::read_jsonl(in, "kernel.jsonl");
  INFO((back.error ? back.error->to_string() : std::string()));
  REQUIRE(back.trace);
  CHECK(back.trace->meta() == t.meta());
  REQUIRE(back.trace->records().size() == 1);
  CHECK(back.trace->records()[0].index == 0);
  CHECK(jsonl(*back.trace) == written);
}

TEST_CASE("A trace with metadata and no records is its metadata line; one without metadata writes nothing more", "[jsonl][meta]") {
  trace::Trace t;
  t.set_meta("source", "kernel");
  std::ostringstream out;
  trace::JsonlSink sink(out);
  t.add_sink(&sink);
  t.finish();
  CHECK(out.str() == "{\"meta\":{\"source\":\"kernel\"}}\n");
  std::istringstream in(out.str());
  const auto back = trace::read_jsonl(in, "empty.jsonl");
  REQUIRE(back.trace);
  CHECK(back.trace->records().empty());
  CHECK(back.trace->meta() == t.meta());

  trace::Trace plain;
  std::ostringstream none;
  trace::JsonlSink plain_sink(none);
  plain.add_sink(&plain_sink);
  plain.finish();
  CHECK(none.str().empty());
}

TEST_CASE("A metadata value that is not a string is refused with its pointer", "[jsonl][meta]") {
  CHECK(error_of(R"({"meta":{"source":"kernel","hz":250}})") == "bad.jsonl:1: /meta/hz: expected a string, found 250");
  CHECK(error_of(R"({"meta":{"a/b~":null}})") == "bad.jsonl:1: /meta/a~1b~0: expected a string, found null");
  CHECK(error_of(R"({"meta":"kernel"})") ==
        "bad.jsonl:1: /meta: expected an object of strings such as {\"source\":\"kernel\"}, found \"kernel\"");
  CHECK(error_of(R"({"meta":{}})") == "bad.jsonl:1: /meta: expected an object of strings such as {\"source\":\"kernel\"}, found {}");
}

TEST_CASE("Metadata anywhere but the first line is refused", "[jsonl][meta]") {
  const std::string meta = R"({"meta":{"source":"kernel"}})";
  CHECK(error_of(kSend + "\n" + meta + "\n") ==
        "bad.jsonl:2: /meta: expected metadata only on the first line, before record 0; found it after record 0");
  CHECK(error_of(meta + "\n\n" + meta + "\n") ==
        "bad.jsonl:3: /meta: expected one metadata line, found a second (the first is line 1)");
}

TEST_CASE("A metadata line with another field is refused", "[jsonl][meta]") {
  CHECK(error_of(R"({"meta":{"source":"kernel"},"i":0})") == "bad.jsonl:1: /i: unknown field of the metadata line");
}

TEST_CASE("A file that cannot be opened says so", "[jsonl]") {
  const auto r = trace::read_jsonl_file("/nonexistent/trace.jsonl");
  REQUIRE(r.error);
  CHECK(r.error->to_string() == "/nonexistent/trace.jsonl: cannot open the file");
}
