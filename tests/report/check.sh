#!/usr/bin/env bash
# The HTML report of `tcpsim check --out`, read the way a learner reads it: in headless Chromium.
#
#   tests/report/check.sh TCPSIM SOURCE_DIR
#
# Builds a batch of three scenarios (two that pass, in handshake/ and loss/, and one that fails,
# in timers/, with markup in its description), runs `tcpsim check --out` on it and checks, in the DOM
# Chromium builds after the page's script ran:
#  - the failure comes first, with its message and its ladder.txt, then one section per theme;
#  - the description's markup shows as text;
#  - a filter given in the address (#filter=..., ?q=...) shows exactly the rows whose id, name or
#    description hold every word, and hides the themes left empty;
#  - the page loads nothing from elsewhere (every src and href is a relative path).
# Then the bundled library plus that batch: at 1280x800 at least 20 scenario rows are in view,
# and screenshots go to SOURCE_DIR/results/report/ (index.png, filter-lost.png) to look at.
# Exit 0: all hold; 1: something does not (printed); 2: bad usage; 77: Chromium or jq is not installed
# (CTest reports a skip). CHROMIUM=/path/to/chromium picks another binary.
set -euo pipefail

if [ $# -ne 2 ]; then
  sed -n "4,17p" "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
TCPSIM=$1 SRC=$2
CHROMIUM=${CHROMIUM:-chromium}
if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
  echo "SKIP: $CHROMIUM is not installed (Debian package chromium; ./build.sh test or ./build.sh deps test installs it)"
  exit 77
fi
if ! command -v jq >/dev/null 2>&1; then
  echo "SKIP: jq is not installed (Debian package jq; ./build.sh test or ./build.sh deps test installs it)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# Headless, and quiet on the network: no sandbox (root), no background connections.
browse() {  # what (--dump-dom | --screenshot=FILE), url, [extra flags...]
  local what=$1 url=$2; shift 2
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$work")" --window-size=1280,800 \
    "$@" "$what" "$url" 2>>"$work/chromium.log"
}

# The batch: copies of bundled scenarios, without fingerprints (their golden traces stay behind).
mkdir -p "$work/scen/handshake" "$work/scen/loss" "$work/scen/timers"
jq 'del(.fingerprint)' "$SRC/scenarios/rfc9293-figures/basic-three-way-handshake.json" \
  >"$work/scen/handshake/report-basic.json"
jq 'del(.fingerprint) | .name = "syn-lost-and-retried"' "$SRC/scenarios/loss/lost-syn.json" \
  >"$work/scen/loss/report-lost-syn.json"
jq 'del(.fingerprint) | .name = "wrong-final-state" |
    .description = "Expects the client to stay in TIME-WAIT: <b>loudly</b> wrong & \"quoted\", like a zebra." |
    .expect.final.client = "TIME-WAIT"' \
  "$SRC/scenarios/rfc9293-figures/basic-three-way-handshake.json" >"$work/scen/timers/report-wrong-final.json"

rc=0
"$TCPSIM" check -q "$work/scen" --out "$work/small" >"$work/check.out" 2>&1 || rc=$?
if [ "$rc" -ne 1 ]; then
  cat "$work/check.out"
  echo "FAIL: tcpsim check exited $rc, expected 1 (one scenario fails)"
  exit 1
fi
page=$work/small/index.html

# Nothing from elsewhere: no stylesheet or frame to fetch, every src/href a relative path.
if grep -Eiq '<link|<iframe|<object|<embed|@import|url\(|<script[^>]*src' "$page"; then
  fail "the page refers to an external resource: $(grep -Eio '<link[^>]*>|<iframe|<object|<embed|@import|url\([^)]*\)|<script[^>]*src[^>]*>' "$page" | head -3)"
fi
while read -r ref; do
  case $ref in
    *:* | /* | "") fail "not a relative link: $ref" ;;
  esac
done < <(grep -Eo '(src|href)="[^"]*"' "$page" | sed -E 's/^(src|href)="(.*)"$/\2/')
grep -q 'href="timers/report-wrong-final/ladder.txt"' "$page" || fail "the failure does not link its ladder.txt"
grep -q 'src="handshake/report-basic/diagram.svg"' "$page" || fail "a passing scenario does not embed its diagram"
if grep -q '<b>loudly' "$page"; then fail "the scenario's description was written as markup"; fi

# One line per row in the DOM: "id hidden|shown", in page order.
rows() {  # dom file
  { grep -o '<div class="case [^>]*>' "$1" || true; } | sed -E 's/.*data-id="([^"]*)".*/\1 &/' |
    awk '{ print $1, (index($0, " hidden") ? "hidden" : "shown") }'
}
sections() {  # dom file: "theme hidden|shown", in page order
  { grep -o '<section class="group[^>]*>' "$1" || true; } | sed -E 's/.*(id="not-passed"|data-theme="([^"]*)").*/\2 &/;s/^ /not-passed /' |
    awk '{ print $1, (index($0, " hidden") ? "hidden" : "shown") }'
}
expect_rows() {  # label, dom file, expected "id state" lines
  local label=$1 dom=$2 want=$3 got
  got=$(rows "$dom")
  if [ "$got" != "$want" ]; then
    fail "$label: rows"
    { diff <(echo "$want") <(echo "$got") || true; } | sed "s/^/  /"
  fi
}
expect_sections() {
  local label=$1 dom=$2 want=$3 got
  got=$(sections "$dom")
  if [ "$got" != "$want" ]; then
    fail "$label: sections"
    { diff <(echo "$want") <(echo "$got") || true; } | sed "s/^/  /"
  fi
}

browse --dump-dom "file://$page" >"$work/all.html"
expect_rows "no filter" "$work/all.html" "timers/report-wrong-final shown
handshake/report-basic shown
loss/report-lost-syn shown"
expect_sections "no filter" "$work/all.html" "not-passed shown
handshake shown
loss shown"
grep -q 'id="filterbar" hidden' "$work/all.html" && fail "the script did not show the filter box"
grep -q '&lt;b&gt;loudly&lt;/b&gt; wrong &amp; "quoted"' "$work/all.html" || fail "the description does not read as text"
grep -q '/expect/final/client: ' "$work/all.html" || fail "the failure's message is not on the page"
grep -q '<h2>handshake/<span class="count">1 passed</span>' "$work/all.html" || fail "no heading with counts for handshake/"

# The filter from the address: one word from an id...
browse --dump-dom "file://$page#filter=lost" >"$work/lost.html"
expect_rows "#filter=lost" "$work/lost.html" "timers/report-wrong-final hidden
handshake/report-basic hidden
loss/report-lost-syn shown"
expect_sections "#filter=lost" "$work/lost.html" "not-passed hidden
handshake hidden
loss shown"
grep -q '>1 of 3 scenarios match<' "$work/lost.html" || fail "#filter=lost: no match count"
# ...one from a description only (?q= form)...
browse --dump-dom "file://$page?q=ZEBRA" >"$work/zebra.html"
expect_rows "?q=ZEBRA" "$work/zebra.html" "timers/report-wrong-final shown
handshake/report-basic hidden
loss/report-lost-syn hidden"
# ...one from a name only, two words that must both occur, and one that matches nothing.
browse --dump-dom "file://$page#filter=retried" >"$work/retried.html"
expect_rows "#filter=retried" "$work/retried.html" "timers/report-wrong-final hidden
handshake/report-basic hidden
loss/report-lost-syn shown"
browse --dump-dom "file://$page#filter=figure%206" >"$work/figure.html"
expect_rows "#filter=figure 6" "$work/figure.html" "timers/report-wrong-final hidden
handshake/report-basic shown
loss/report-lost-syn hidden"
browse --dump-dom "file://$page#filter=nothing-has-this" >"$work/none.html"
expect_sections "#filter=nothing-has-this" "$work/none.html" "not-passed hidden
handshake hidden
loss hidden"
grep -q '<p id="none">' "$work/none.html" || fail "no 'nothing matches' line when nothing matches"

# The bundled library with that batch: how much one screen holds, and the pictures.
"$TCPSIM" check -q "$SRC/scenarios" "$work/scen" --out "$work/full" >"$work/check-full.out" 2>&1 || true
full=$work/full/index.html
cat >"$work/measure.html" <<EOF
<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="file://$full" style="width:1280px;height:800px;border:0"></iframe>
<script>
window.onload = function () {
  var d = document.getElementById('f').contentDocument, n = 0;
  d.querySelectorAll('.case').forEach(function (r) {
    var b = r.getBoundingClientRect();
    if (b.height > 0 && b.bottom <= 800) n++;
  });
  document.body.setAttribute('data-rows-in-view', n);
  document.body.setAttribute('data-first-row', d.querySelector('.case').getAttribute('data-id'));
};
</script></body></html>
EOF
browse --dump-dom "file://$work/measure.html" --allow-file-access-from-files >"$work/measure.out"
in_view=$(grep -o 'data-rows-in-view="[0-9]*"' "$work/measure.out" | grep -o '[0-9]*' || true)
if [ -z "$in_view" ] || [ "$in_view" -lt 20 ]; then
  fail "1280x800 shows ${in_view:-no} scenario rows, fewer than 20"
else
  echo "1280x800 shows $in_view scenario rows"
fi
grep -q 'data-first-row="timers/report-wrong-final"' "$work/measure.out" || fail "the failure is not the first row of the library"

mkdir -p "$SRC/results/report"
browse --screenshot="$SRC/results/report/index.png" "file://$full" >/dev/null
browse --screenshot="$SRC/results/report/filter-lost.png" "file://$full#filter=lost" >/dev/null
for png in index filter-lost; do
  [ -s "$SRC/results/report/$png.png" ] || fail "no screenshot $png.png"
done

if [ "$failed" -ne 0 ]; then
  echo "--- chromium's messages:"
  tail -20 "$work/chromium.log"
  exit 1
fi
echo "report: failures first, themes, filter, escaping and self-containment hold; screenshots in $SRC/results/report/"
