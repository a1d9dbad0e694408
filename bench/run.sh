#!/usr/bin/env bash
# jtipc benchmarks, run by hand (never by the tests):
#   bench/run.sh           both parts below
#   bench/run.sh compare   jtipc pcap vs tshark on captures of >= 200 000 and >= 2 000 000 real frames
#   bench/run.sh jmh       JMH: header decoding on real frames, with the GC profiler (B/op)
# Knobs (environment): RUNS (timed runs per tool, default 5), FRAMES (list of minimum frame counts, default
# "200000 2000000"), PROFILE (1: JFR profile of jtipc on the largest input, default 1),
# JMH_ARGS (default: short settings, about a minute in all).
# Writes bench/target/report.md (and bench/target/jmh.txt).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
what="${1:-all}"
RUNS="${RUNS:-5}"
FRAMES="${FRAMES:-200000 2000000}"
JMH_ARGS="${JMH_ARGS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
target="$root/bench/target"
report="$target/report.md"

command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || "$root/bin/setup"
echo "bench: building cli and bench jars..." >&2
mvn -B -q -ntp -DskipTests -pl cli,bench -am package >&2
jar="$root/cli/target/jtipc.jar"
benchjar="$target/jtipc-benchmarks.jar"

now_ns() { date +%s%N; }
# rate FRAMES NANOS -> frames per second (integer)
rate() { echo $(( $1 * 1000000000 / $2 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}'; }

{
  echo "# jtipc benchmark report"
  echo
  echo "Date: $(date -u +%FT%TZ); host: $(nproc) cores, $(uname -sr); $(java -version 2>&1 | awk 'NR==1')"
  command -v tshark >/dev/null 2>&1 && echo "tshark: $(tshark --version 2>/dev/null | awk 'NR==1')"
  echo
} > "$report"

if [ "$what" = all ] || [ "$what" = compare ]; then
  command -v tshark >/dev/null 2>&1 || "$root/bin/setup"
  jtipc="$root/bin/jtipc"
  export JTIPC_NO_BUILD=1 # built above; sources edited during the run must not trigger a build
  # start-up: the same commands on a capture with no frames (pcap file header only)
  empty="$target/empty.pcap"
  printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' > "$empty"
  "$jtipc" pcap "$empty" > /dev/null 2>&1 || true # first run after a build writes the AppCDS archive
  js=(); tss=()
  for i in $(seq 1 "$RUNS"); do
    t0=$(now_ns); "$jtipc" pcap "$empty" > /dev/null 2>&1; t1=$(now_ns); js+=($((t1 - t0)))
    t0=$(now_ns); tshark -r "$empty" > /dev/null 2>&1; t1=$(now_ns); tss+=($((t1 - t0)))
  done
  jstart=$(printf '%s\n' "${js[@]}" | median); tstart=$(printf '%s\n' "${tss[@]}" | median)
  {
    echo "## jtipc pcap vs tshark (default one-line output, both to /dev/null)"
    echo
    echo "Input: samples/eth-6.1.pcap (1 218 real kernel frames) repeated with shifted timestamps."
    echo "Commands: \`bin/jtipc pcap FILE > /dev/null\` (java -jar cli/target/jtipc.jar with the AppCDS archive bin/jtipc"
    echo "keeps) and \`tshark -r FILE > /dev/null\`, $RUNS runs each, interleaved, wall clock; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Start-up (median of the same commands on a capture with no frames): jtipc $((jstart / 1000000)) ms, tshark $((tstart / 1000000)) ms."
    echo "\"with start-up\" = frames / whole run; \"without\" = frames / (run − that start-up time)."
    echo
    echo "| frames | file MB | jtipc ms median (best) | tshark ms median (best) | jtipc frames/s with start-up | tshark frames/s with start-up | ratio with start-up | jtipc frames/s without | tshark frames/s without | ratio without |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  } >> "$report"
  for want in $FRAMES; do
    big="$target/eth-6.1-x$want.pcap"
    frames=$(java -cp "$benchjar" io.jtipc.bench.CaptureRepeater "$root/samples/eth-6.1.pcap" "$big" "$want")
    size=$(stat -c %s "$big")
    echo "bench: $big: $frames frames, $size bytes" >&2
    # one untimed run each: page cache, same output volume check
    jl=$("$jtipc" pcap "$big" 2>/dev/null | wc -l); tl=$(tshark -r "$big" 2>/dev/null | wc -l)
    jt=(); ts=()
    for i in $(seq 1 "$RUNS"); do
      t0=$(now_ns); "$jtipc" pcap "$big" > /dev/null 2>&1; t1=$(now_ns)
      jt+=($((t1 - t0)))
      t0=$(now_ns); tshark -r "$big" > /dev/null 2>&1; t1=$(now_ns)
      ts+=($((t1 - t0)))
      echo "bench: $frames frames, run $i: jtipc $(( jt[-1] / 1000000 )) ms, tshark $(( ts[-1] / 1000000 )) ms" >&2
    done
    jmed=$(printf '%s\n' "${jt[@]}" | median); tmed=$(printf '%s\n' "${ts[@]}" | median)
    jmin=$(printf '%s\n' "${jt[@]}" | sort -n | awk 'NR==1'); tmin=$(printf '%s\n' "${ts[@]}" | sort -n | awk 'NR==1')
    ratio=$(awk -v a="$tmed" -v b="$jmed" 'BEGIN {printf "%.1f", a / b}')
    jnet=$((jmed > jstart ? jmed - jstart : 1)); tnet=$((tmed > tstart ? tmed - tstart : 1))
    ratio2=$(awk -v a="$tnet" -v b="$jnet" 'BEGIN {printf "%.1f", a / b}')
    echo "| $frames | $((size / 1000000)) | $((jmed / 1000000)) ($((jmin / 1000000))) | $((tmed / 1000000)) ($((tmin / 1000000))) | $(rate "$frames" "$jmed") | $(rate "$frames" "$tmed") | **${ratio}×** | $(rate "$frames" "$jnet") | $(rate "$frames" "$tnet") | **${ratio2}×** |" >> "$report"
    echo "  $frames frames: output lines jtipc $jl (one per TIPC message), tshark $tl (one per frame)" >> "$target/volume.txt"
  done
  echo >> "$report"
  if [ -f "$target/volume.txt" ]; then
    { echo "Output volume (one untimed run each):"; echo '```'; cat "$target/volume.txt"; echo '```'; echo; } >> "$report"
    rm -f "$target/volume.txt"
  fi
  if [ "${PROFILE:-1}" = 1 ]; then
    # where jtipc's time goes: JFR execution samples every 1 ms on the largest input
    jfrfile="$target/jtipc-pcap.jfr"
    java -XX:StartFlightRecording=filename="$jfrfile",settings=profile,jdk.ExecutionSample#period=1ms \
      -jar "$jar" pcap "$big" > /dev/null 2>&1
    jfr print --events jdk.ExecutionSample "$jfrfile" > "$target/jfr-samples.txt"
    total=$(grep -c 'jdk.ExecutionSample' "$target/jfr-samples.txt" || true)
    {
      echo "### Profile of \`jtipc pcap\` on $frames frames (JFR, $total samples at 1 ms)"
      echo
      echo "Top frames (self time):"
      echo '```'
      grep -A1 'stackTrace = \[' "$target/jfr-samples.txt" | grep -v 'stackTrace\|^--' \
        | sed 's/line:.*//;s/^ *//' | sort | uniq -c | sort -rn | awk 'NR<=15'
      echo '```'
      echo "jtipc methods on the stack (inclusive samples):"
      echo '```'
      grep -E '^\s+io\.jtipc' "$target/jfr-samples.txt" | sed 's/line:.*//;s/^ *//' | sort | uniq -c | sort -rn | awk 'NR<=12'
      echo '```'
      echo
    } >> "$report"
  fi
fi

if [ "$what" = all ] || [ "$what" = jmh ]; then
  # shellcheck disable=SC2086
  java -jar "$benchjar" HeaderDecodeBenchmark -prof gc $JMH_ARGS | tee "$target/jmh.txt" >&2
  {
    echo "## JMH: header decoding on real frames (\`-prof gc\`, $JMH_ARGS)"
    echo
    echo '```'
    grep -E '^(Benchmark|HeaderDecodeBenchmark)' "$target/jmh.txt" | grep -Ev 'gc\.(count|time)|churn' || true
    echo '```'
    echo
  } >> "$report"
fi
cat "$report"
