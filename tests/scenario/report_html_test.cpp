// The check report's HTML: the order a reader needs (failures, then themes), scenario text as
// text, links only to files that exist. tests/report/check.sh reads the same page in Chromium.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/scenario/report_html.hpp"

using namespace tcpsim::scenario;
namespace fs = std::filesystem;

namespace {

CaseResult result(std::string id, Outcome outcome, std::string description = "") {
  CaseResult r;
  r.id = std::move(id);
  r.name = r.id.substr(r.id.rfind('/') + 1);
  r.description = std::move(description);
  r.outcome = outcome;
  r.verdict.checked = 3;
  if (outcome == Outcome::Fail) r.verdict.failures.push_back({.pointer = "/expect/final/client", .message = "expected <CLOSED>", .record = {}, .time = {}});
  return r;
}

std::size_t at(const std::string& page, const std::string& what) {
  const std::size_t p = page.find(what);
  INFO(what);
  REQUIRE(p != std::string::npos);
  return p;
}

}  // namespace

TEST_CASE("html_escape writes markup characters as references and unsafe text as escapes", "[report]") {
  CHECK(html_escape(R"(<b>a & "b" 'c'</b>)") == "&lt;b&gt;a &amp; &quot;b&quot; &#39;c&#39;&lt;/b&gt;");
  CHECK(html_escape("line\nnext") == "line\nnext");
  CHECK(html_escape("\x1b]0;title\a") == "\\e]0;title\\a");
  CHECK(html_escape("ab\xe2\x80\xae" "cd") == "ab\\u{202e}cd");  // a right-to-left override
  CHECK(html_escape("\xff") == "\\xff");
}

TEST_CASE("the report lists what did not pass first, then each theme under its heading", "[report]") {
  const std::vector<CaseResult> results = {result("close/a", Outcome::Pass), result("close/b", Outcome::Fail),
                                           result("loss/c", Outcome::Pass), result("top", Outcome::Invalid),
                                           result("timers/d", Outcome::Error)};
  const std::string page = index_html(results, {});
  const std::size_t failures = at(page, "<h2>Not passed<span class=\"count\">3 scenarios</span>");
  const std::size_t b = at(page, "data-id=\"close/b\""), top = at(page, "data-id=\"top\""), d = at(page, "data-id=\"timers/d\"");
  const std::size_t close = at(page, "<h2>close/<span class=\"count\">1 passed, 1 not passed (above)</span>");
  const std::size_t a = at(page, "data-id=\"close/a\"");
  const std::size_t loss = at(page, "<h2>loss/<span class=\"count\">1 passed</span>");
  const std::size_t c = at(page, "data-id=\"loss/c\"");
  CHECK(failures < b);
  CHECK(b < top);
  CHECK(top < d);
  CHECK(d < close);
  CHECK(close < a);
  CHECK(a < loss);
  CHECK(loss < c);
  // Themes with nothing left to list after the failures get no heading.
  CHECK(page.find("<h2>timers/") == std::string::npos);
  CHECK(page.find("(top level)") == std::string::npos);
  at(page, "5 scenarios: 2 passed, 1 error, 1 failed, 1 invalid.");
  at(page, "<title>tcpsim check: 2/5 passed</title>");
  at(page, "/expect/final/client: expected &lt;CLOSED&gt;");
}

TEST_CASE("the report writes scenario text as text, also in the filter's attribute", "[report]") {
  const std::string page = index_html({result("x/\"><script>alert(1)</script>", Outcome::Pass, "a <img src=x onerror=alert(1)> & \"b\"")}, {});
  CHECK(page.find("<script>alert") == std::string::npos);
  CHECK(page.find("<img src=x") == std::string::npos);
  at(page, "a &lt;img src=x onerror=alert(1)&gt; &amp; &quot;b&quot;");
  at(page, "data-id=\"x/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"");
}

TEST_CASE("the report links a scenario's files and diagram only where they were written", "[report]") {
  const fs::path dir = fs::temp_directory_path() / "tcpsim-report-html-test";
  fs::remove_all(dir);
  fs::create_directories(dir / "loss" / "c");
  for (const char* f : {"trace.jsonl", "diagram.svg"}) std::ofstream(dir / "loss" / "c" / f) << "x";
  const std::string page = index_html({result("loss/c", Outcome::Pass), result("loss/e", Outcome::Pass)}, dir);
  at(page, "<a href=\"loss/c/trace.jsonl\">trace.jsonl</a>");
  at(page, "<img loading=\"lazy\" src=\"loss/c/diagram.svg\"");
  CHECK(page.find("loss/c/capture.pcap") == std::string::npos);
  CHECK(page.find("loss/e/") == std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("the report's links percent-encode what a file name may hold and a URL may not", "[report]") {
  const fs::path dir = fs::temp_directory_path() / "tcpsim-report-html-url-test";
  fs::remove_all(dir);
  const std::string id = "odd/50% #1?\xff";
  fs::create_directories(dir / id);
  std::ofstream(dir / id / "trace.jsonl") << "x";
  const std::string page = index_html({result(id, Outcome::Pass)}, dir);
  at(page, "<a href=\"odd/50%25%20%231%3F%FF/trace.jsonl\">trace.jsonl</a>");
  at(page, "data-id=\"odd/50% #1?\\xff\"");
  fs::remove_all(dir);
}
