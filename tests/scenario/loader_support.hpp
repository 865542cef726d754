// Helpers for the loader tests: load text as "test.json" and check one diagnostic at a time.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "sim/scenario/loader.hpp"

namespace tcpsim::scenario::testing {

inline LoadResult load(std::string_view text) { return load_string(text, "test.json"); }

inline std::string report(const LoadResult& r) {
  std::string s;
  for (const Diagnostic& d : r.errors) s += d.to_string() + "\n";
  return s;
}

// The result has exactly one error; returns it.
inline Diagnostic only_error(const LoadResult& r) {
  INFO(report(r));
  REQUIRE_FALSE(r.ok());
  REQUIRE_FALSE(r.scenario.has_value());
  REQUIRE(r.errors.size() == 1);
  return r.errors[0];
}

// Where the error points and a phrase its message must contain.
inline void check_error(const Diagnostic& d, int line, int column, const std::string& pointer, const std::string& phrase) {
  INFO(d.to_string());
  CHECK(d.file == "test.json");
  CHECK(d.line == line);
  CHECK(d.column == column);
  CHECK(d.pointer == pointer);
  CHECK_THAT(d.message, Catch::Contains(phrase));
}

struct Where {
  int line;
  int column;
};
// Line and column of the first occurrence of `needle` in ASCII `text`, after `after` if given.
inline Where where(std::string_view text, std::string_view needle, std::string_view after = "") {
  const std::size_t start = after.empty() ? 0 : text.find(after);
  const std::size_t at = text.find(needle, start == std::string_view::npos ? 0 : start);
  REQUIRE(at != std::string_view::npos);
  Where w{1, 1};
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++w.line;
      w.column = 1;
    } else {
      ++w.column;
    }
  }
  return w;
}

inline void check_error(const Diagnostic& d, Where w, const std::string& pointer, const std::string& phrase) {
  check_error(d, w.line, w.column, pointer, phrase);
}

// Two hosts "client" (10.0.0.1) and "server" (10.0.0.2), a router "r1" without an address, and
// `rest` (members that follow, each with a leading ", ").
inline std::string scenario_with(std::string_view rest) {
  return std::string(R"({"name": "t", "hosts": [{"name": "client", "ip": "10.0.0.1"}, {"name": "server", "ip": "10.0.0.2"}], )"
                     R"("routers": [{"name": "r1"}])") +
         std::string(rest) + "}";
}

// The scenario, which must have loaded without errors.
inline Scenario loaded(const LoadResult& r) {
  INFO(report(r));
  REQUIRE(r.ok());
  return *r.scenario;
}

}  // namespace tcpsim::scenario::testing
