#include "sim/scenario/report_html.hpp"

#include <cctype>
#include <cstdio>
#include <map>

#include "sim/kernel/printable.hpp"

namespace tcpsim::scenario {

namespace fs = std::filesystem;

std::string html_escape(std::string_view text) {
  const std::string safe = sim::printable(text, {.keep_newlines = true, .keep_tabs = true});
  std::string o;
  o.reserve(safe.size());
  for (char c : safe) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {

// The theme of a scenario: the first folder of its id, "" for a file at the top of the batch.
std::string theme_of(const std::string& id) {
  const auto slash = id.find('/');
  return slash == std::string::npos ? std::string() : id.substr(0, slash);
}

// "failed", "invalid", "errors": how the totals line counts `n` of an outcome other than a pass.
std::string outcome_words(std::string outcome, std::size_t n) {
  if (outcome == to_string(Outcome::Fail)) return "failed";
  if (outcome == to_string(Outcome::Error)) return n == 1 ? "error" : "errors";
  if (outcome == to_string(Outcome::Limit)) return "stopped at a bound";
  for (char& c : outcome) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return outcome;
}

// A relative link to `path` (raw bytes of the id, '/' between folders): every byte but letters,
// digits, '/', '-', '.', '_' and '~' percent-encoded, so '#', '?', '%', spaces and bytes that are
// not UTF-8 in a file name still name that file.
std::string url_path(std::string_view path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string o;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      o += ch;
    } else {
      o += '%';
      o += hex[c >> 4];
      o += hex[c & 15];
    }
  }
  return o;
}

// What the filter searches, on one line so each row's opening tag is one line of the page.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return text;
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

const char* const kStyle = R"(<style>
:root{--line:#d8dee4;--muted:#57606a}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;padding:.6em 1.2em 2em;max-width:90em;color:#1f2328}
header{position:sticky;top:0;background:#fff;padding:.3em 0 .4em;border-bottom:2px solid var(--line);z-index:1}
h1{font-size:1.3em;margin:0 .8em 0 0;display:inline}
.totals{margin:0;display:inline}
#filterbar{margin:.35em 0 0;display:flex;gap:.8em;align-items:center}
#filterbar[hidden]{display:none}
#filter{font:inherit;width:28em;padding:.2em .5em;border:1px solid #8c959f;border-radius:4px}
#shown{color:var(--muted)}
h2{font-size:1.05em;margin:.9em 0 .2em;padding-bottom:.1em;border-bottom:1px solid var(--line)}
h2 .count,h2 .matching{font-weight:normal;color:var(--muted);font-size:.9em;margin-left:.5em}
h2 .matching:not(:empty)::before{content:"\00b7  "}
section.failures h2{color:#cf222e}
.case{border-bottom:1px solid #eef1f4}
.case summary{display:grid;grid-template-columns:1em 5.2em minmax(12em,28em) minmax(0,1fr) 8.5em 5.5em;gap:.6em;
  align-items:baseline;padding:.12em .2em;cursor:pointer;list-style:none;white-space:nowrap}
.case summary::-webkit-details-marker{display:none}
.case summary:hover{background:#f6f8fa}
.tw{color:var(--muted);font-size:.8em}
details[open]>summary .tw{display:inline-block;transform:rotate(90deg)}
.badge{display:inline-block;min-width:4.8em;text-align:center;font-size:.78em;font-weight:bold;color:#fff;
  background:#cf222e;border-radius:3px;padding:0 .3em}
.badge.PASS{background:#1a7f37}.badge.INVALID,.badge.LIMIT{background:#9a6700}
.id{font-family:ui-monospace,monospace;font-size:.92em;overflow:hidden;text-overflow:ellipsis}
.name{overflow:hidden;text-overflow:ellipsis}
.name .gist{color:var(--muted)}
.exp{color:var(--muted);text-align:right}
.time{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.body{padding:.2em 1em .6em 2em}
.body p{margin:.2em 0 .4em;max-width:60em}
.files{margin:.2em 0 .3em 2em;font-size:.92em}
.body .files{margin-left:0}
pre.failures{white-space:pre-wrap;font-size:.85em;background:#fff1f0;border-left:3px solid #cf222e;margin:.1em 0 .4em 2em;padding:.3em .6em}
.body img{max-width:100%;border:1px solid var(--line);background:#fff}
#none,.note{color:var(--muted)}
</style>
)";

// Filters the rows by the words in the box (all must occur in the id, name or description),
// hides themes left empty, keeps the filter in the address (#filter=...) and reads it from there
// or from ?q= when the page opens.
const char* const kScript = R"(<script>
(function () {
  var box = document.getElementById('filter'), shown = document.getElementById('shown');
  var none = document.getElementById('none');
  var rows = Array.prototype.slice.call(document.querySelectorAll('.case'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('section.group'));
  var texts = rows.map(function (r) { return r.getAttribute('data-text').toLowerCase(); });
  function apply() {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean), n = 0;
    rows.forEach(function (r, i) {
      var match = words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      r.hidden = !match;
      if (match) n++;
    });
    groups.forEach(function (g) {
      var k = g.querySelectorAll('.case:not([hidden])').length;
      g.hidden = k === 0;
      g.querySelector('.matching').textContent = words.length ? k + ' match' : '';
    });
    shown.textContent = words.length ? n + ' of ' + rows.length + ' scenarios match' : '';
    none.hidden = n > 0;
  }
  function initial() {
    try {
      var m = /^#filter=(.*)$/.exec(location.hash);
      if (m) return decodeURIComponent(m[1].replace(/\+/g, ' '));
      return new URLSearchParams(location.search).get('q') || '';
    } catch (e) { return ''; }
  }
  box.value = initial();
  document.getElementById('filterbar').hidden = false;
  box.addEventListener('input', function () {
    apply();
    try {
      history.replaceState(null, '', box.value ? '#filter=' + encodeURIComponent(box.value) : location.pathname + location.search);
    } catch (e) {}
  });
  apply();
})();
</script>
)";

class Writer {
 public:
  explicit Writer(const fs::path& out_dir) : out_dir_(out_dir) {}

  // One scenario: the line, then what is worth reading in full.
  std::string row(const CaseResult& r) const {
    const bool passed = r.outcome == Outcome::Pass;
    const char* verdict = to_string(r.outcome);
    std::string h = std::string("<div class=\"case ") + verdict + "\" data-id=\"" + html_escape(r.id) + "\" data-text=\"" +
                    html_escape(one_line(r.id + " " + r.name + " " + r.description)) + "\">\n<details><summary>";
    h += "<span class=\"tw\">&#9656;</span>";
    h += std::string("<span><span class=\"badge ") + verdict + "\">" + verdict + "</span></span>";
    h += "<span class=\"id\" title=\"" + html_escape(r.id) + "\">" + html_escape(r.id) + "</span>";
    h += "<span class=\"name\" title=\"" + html_escape(r.name) + "\">" + html_escape(r.name);
    if (!r.description.empty()) h += " <span class=\"gist\">&mdash; " + html_escape(r.description) + "</span>";
    h += "</span>";
    h += "<span class=\"exp\">" + (r.outcome == Outcome::Invalid ? std::string() : plural(r.verdict.checked, "expectation", "expectations")) +
         "</span>";
    char t[32];
    std::snprintf(t, sizeof t, "%.3f s", r.wall_seconds);
    h += std::string("<span class=\"time\">") + t + "</span></summary>\n<div class=\"body\">";
    if (!r.description.empty()) h += "<p>" + html_escape(r.description) + "</p>";
    if (passed) h += files(r.id);
    const std::string svg = r.id + "/diagram.svg";
    if (exists(svg))
      h += "<img loading=\"lazy\" src=\"" + url_path(svg) + "\" alt=\"sequence diagram of " + html_escape(r.id) + "\">";
    else
      h += "<p class=\"note\">No sequence diagram.</p>";
    h += "</div></details>\n";
    if (!passed) {
      // A failure's lines and files stay visible: they are what the reader came for.
      std::string body;
      for (const auto& l : r.failure_lines()) body += l + "\n";
      if (!body.empty()) h += "<pre class=\"failures\">" + html_escape(body) + "</pre>\n";
      h += files(r.id);
    }
    h += "</div>\n";
    return h;
  }

 private:
  bool exists(const std::string& relative) const {
    std::error_code ec;
    return !out_dir_.empty() && fs::exists(out_dir_ / relative, ec);
  }

  std::string files(const std::string& id) const {
    std::string links;
    for (const char* f : {"trace.jsonl", "capture.pcap", "summary.json", "ladder.txt"})
      if (exists(id + "/" + f))
        links += std::string(links.empty() ? "" : " &middot; ") + "<a href=\"" + url_path(id + "/" + f) + "\">" + f + "</a>";
    return links.empty() ? std::string() : "<div class=\"files\">" + links + "</div>\n";
  }

  fs::path out_dir_;
};

}  // namespace

std::string index_html(const std::vector<CaseResult>& results, const fs::path& out_dir) {
  // Outcomes in the order a reader weighs them; anything that is not a pass is listed first.
  std::map<std::string, std::size_t> by_outcome;
  std::vector<const CaseResult*> failures;
  struct Theme {
    std::vector<const CaseResult*> passed;
    std::size_t failed = 0;
  };
  std::map<std::string, Theme> themes;
  for (const auto& r : results) {
    ++by_outcome[to_string(r.outcome)];
    Theme& t = themes[theme_of(r.id)];
    if (r.outcome == Outcome::Pass) {
      t.passed.push_back(&r);
    } else {
      failures.push_back(&r);
      ++t.failed;
    }
  }
  const std::size_t pass = results.size() - failures.size();

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tcpsim check: " +
       std::to_string(pass) + "/" + std::to_string(results.size()) + " passed</title>\n";
  h += kStyle;
  h += "</head><body>\n<header>\n<h1>tcpsim check</h1>\n<p class=\"totals\">" + plural(results.size(), "scenario", "scenarios") +
       ": " + std::to_string(pass) + " passed";
  for (const auto& [outcome, n] : by_outcome)
    if (outcome != to_string(Outcome::Pass)) h += ", " + std::to_string(n) + " " + outcome_words(outcome, n);
  h += ".</p>\n";
  h += "<div id=\"filterbar\" hidden><input id=\"filter\" type=\"search\" placeholder=\"Filter by id, name or description\" "
       "aria-label=\"Filter scenarios by id, name or description\" autocomplete=\"off\"><span id=\"shown\"></span></div>\n"
       "</header>\n<p id=\"none\" hidden>No scenario matches the filter.</p>\n";

  const Writer w(out_dir);
  if (!failures.empty()) {
    h += "<section class=\"group failures\" id=\"not-passed\">\n<h2>Not passed<span class=\"count\">" +
         plural(failures.size(), "scenario", "scenarios") + "</span><span class=\"matching\"></span></h2>\n";
    for (const CaseResult* r : failures) h += w.row(*r);
    h += "</section>\n";
  }
  for (const auto& [name, t] : themes) {
    if (t.passed.empty()) continue;
    const std::string label = name.empty() ? std::string("(top level)") : name + "/";
    std::string count = std::to_string(t.passed.size()) + " passed";
    if (t.failed != 0) count += ", " + std::to_string(t.failed) + " not passed (above)";
    h += "<section class=\"group\" data-theme=\"" + html_escape(name) + "\">\n<h2>" + html_escape(label) +
         "<span class=\"count\">" + count + "</span><span class=\"matching\"></span></h2>\n";
    for (const CaseResult* r : t.passed) h += w.row(*r);
    h += "</section>\n";
  }
  h += kScript;
  h += "</body></html>\n";
  return h;
}

}  // namespace tcpsim::scenario
