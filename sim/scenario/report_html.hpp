// The HTML page `tcpsim check --out DIR` writes as DIR/index.html.
//
// One self-contained file (inline style and a small inline script, nothing fetched): it opens
// straight from the folder, with no server. What it shows, top to bottom:
//   - the counts (scenarios, passed, and each outcome that is not a pass) and a filter box;
//   - every scenario that did not pass, with its failure lines in full and its files;
//   - the rest grouped by theme (the first folder of the id: close/, loss/, ...), a heading with
//     the counts per theme.
// Each scenario is one line (verdict, id, name, expectations checked, wall time); its description,
// sequence diagram and files are in a <details> under that line. The filter matches the id, name
// and description, word by word, and hides themes left empty; `index.html#filter=lost` (or
// `?q=lost`) opens the page filtered. Without script every row is shown.
//
// All text that comes from scenarios (ids, names, descriptions, failure messages) is written
// through printable() and then HTML-escaped, so it shows as text and cannot add markup.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/batch.hpp"

namespace tcpsim::scenario {

// The page for `results` (in the order run_batch returns them). Links and the diagram images are
// relative to `out_dir`, and only files that exist there are linked; an empty `out_dir` links none.
std::string index_html(const std::vector<CaseResult>& results, const std::filesystem::path& out_dir);

// `text` safe inside HTML text and double-quoted attributes: printable() (newlines and tabs kept),
// then & < > " ' as character references.
std::string html_escape(std::string_view text);

}  // namespace tcpsim::scenario
