#!/usr/bin/env bash
# Cross-checks tcpsim's pcap output against tshark, the decoder people trust.
#
#   tests/tshark/check.sh TCPSIM TSHARK_EXPECT SCENARIO.json [HOST...]
#
# Runs the scenario with --trace and --pcap (where segments leave their sender, then at each
# HOST's interface with --capture-at) and checks, packet by packet, that tshark
#  - decodes every packet: no malformed packet, nothing undecoded, a good IPv4 checksum, a good
#    TCP checksum except on segments a corrupt rule damaged (which must show as bad);
#  - shows the trace's flags, absolute and relative seq/ack, payload length, window and TCP
#    options (MSS, window scale, SACK-permitted, timestamps);
#  - flags tcp.analysis.retransmission on exactly the packets the trace calls retransmissions
#    (sim/trace/seq_view.hpp), as computed by TSHARK_EXPECT from the JSON Lines trace.
# Exit 0: all match; 1: a mismatch (printed); 2: bad usage; 77: tshark is not installed (CTest
# reports the test as skipped). TSHARK=/path/to/tshark picks another binary.
#
# Where the trace and Wireshark read a capture differently (so such scenarios are not checked):
#  - a SYN with a new ISN on a 4-tuple already seen (a new incarnation, an old duplicate SYN):
#    Wireshark restarts its relative numbers there, the trace keeps the first SYN's ISN;
#  - zero-window probes: Wireshark marks tcp.analysis.zero_window_probe, not a retransmission;
#  - segments crafted by the scenario ("injected") count in Wireshark's sequence analysis, so a
#    real TCP's segment after one may be flagged (or not) where the trace's rule, which looks
#    only at what TCPs sent, says otherwise. The crafted segments themselves are not judged.
set -euo pipefail

if [ $# -lt 3 ]; then
  sed -n "4,15p" "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
TCPSIM=$1 EXPECT=$2 SCENARIO=$3
shift 3
TSHARK=${TSHARK:-tshark}
if ! command -v "$TSHARK" >/dev/null 2>&1; then
  echo "SKIP: $TSHARK is not installed (Debian package tshark; ./build.sh test or ./build.sh deps test installs it)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

FIELDS=(frame.number tcp.flags tcp.seq_raw tcp.ack_raw tcp.seq tcp.ack tcp.len tcp.window_size_value
        tcp.analysis.retransmission tcp.checksum.status tcp.options.mss_val tcp.options.wscale.shift
        tcp.options.sack_perm tcp.options.timestamp.tsval tcp.options.timestamp.tsecr)
HEALTH=(frame.number _ws.malformed ip.checksum.status tcp.checksum.status _ws.expert.group)
# Expert info groups (epan/proto.h): PI_CHECKSUM, PI_UNDECODED, PI_MALFORMED.
readonly G_CHECKSUM=16777216 G_UNDECODED=83886080 G_MALFORMED=117440512

run_tshark() {  # file, fields...
  local file=$1; shift
  local args=()
  for f in "$@"; do args+=(-e "$f"); done
  "$TSHARK" -r "$file" -n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o tcp.relative_sequence_numbers:TRUE \
    -T fields -E separator=/t -E occurrence=a -E aggregator=, "${args[@]}" 2>"$work/tshark.err"
}

failed=0
check_point() {  # label, [host]
  local label=$1 host=${2:-}
  local at=()
  if [ -n "$host" ]; then at=(--capture-at "$host"); fi
  "$TCPSIM" run "$SCENARIO" -q --trace "$work/trace.jsonl" --pcap "$work/capture.pcap" "${at[@]}" >/dev/null
  "$EXPECT" "$work/trace.jsonl" ${host:+"$host"} >"$work/expected.tsv"
  run_tshark "$work/capture.pcap" "${FIELDS[@]}" >"$work/tshark.tsv"
  run_tshark "$work/capture.pcap" "${HEALTH[@]}" >"$work/health.tsv"

  # Field by field; "-" in the expectation accepts anything.
  if ! awk -F'\t' -v label="$label" '
      NR == FNR { want[FNR] = $0; n = FNR; next }
      {
        got = FNR
        if (!(FNR in want)) { printf "%s: frame %d: tshark shows a packet the trace does not have: %s\n", label, FNR, $0; bad = 1; next }
        nw = split(want[FNR], w, "\t"); split($0, g, "\t")
        for (i = 1; i <= nw; i++) if (w[i] != "-" && w[i] != g[i]) {
          printf "%s: frame %d field %d: trace says \"%s\", tshark \"%s\"\n  trace:  %s\n  tshark: %s\n", label, FNR, i, w[i], g[i], want[FNR], $0
          bad = 1; break
        }
      }
      END {
        if (got != n) { printf "%s: the trace has %d packets, tshark read %d\n", label, n, got; bad = 1 }
        exit bad
      }' "$work/expected.tsv" "$work/tshark.tsv"; then
    failed=1
  fi
  if ! awk -F'\t' -v label="$label" -v gc=$G_CHECKSUM -v gu=$G_UNDECODED -v gm=$G_MALFORMED '
      NR == FNR { damaged[$1] = ($10 == "0"); next }
      {
        why = ""
        if ($2 != "") why = "malformed packet"
        else if ($3 != "1") why = "IPv4 checksum status " $3
        n = split($5, groups, ",")
        for (i = 1; i <= n; i++) {
          if (groups[i] == gm) why = "malformed-packet expert info"
          if (groups[i] == gu) why = "undecoded-data expert info"
          if (groups[i] == gc && !damaged[$1]) why = "checksum expert info on an undamaged segment"
        }
        if (why != "") { printf "%s: frame %d: %s\n  %s\n", label, $1, why, $0; bad = 1 }
      }
      END { exit bad }' "$work/expected.tsv" "$work/health.tsv"; then
    failed=1
  fi
  echo "$label: $(wc -l <"$work/expected.tsv") packets checked"
}

check_point "$(basename "$SCENARIO") at the senders"
for host in "$@"; do
  check_point "$(basename "$SCENARIO") at $host" "$host"
done
exit $failed
