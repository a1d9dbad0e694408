#!/usr/bin/env bash
# jtipc benchmarks, run by hand (never by the tests):
#   bench/run.sh           every part below
#   bench/run.sh compare   jtipc pcap vs tshark on captures of >= 200 000, 2 000 000 and 10 000 000 real frames
#   bench/run.sh jmh       JMH: header decoding on real frames, and one RDM message through two protocol cores on the
#                          in-memory network (CoreSendBenchmark), with the GC profiler (B/op)
#   bench/run.sh crypto    both crypto parts: crypto-jmh then crypto-rdm (about 9 minutes)
#   bench/run.sh crypto-jmh  JMH: AES-256-GCM seal/open of 64, 1 400 and 66 000 B as the data path does it, JDK vs
#                          BouncyCastle (lightweight API, 4k and 64k GHASH tables; JCE provider), -prof gc (B/op)
#   bench/run.sh crypto-rdm  RDM throughput over UDP loopback, two jtipc nodes with a cluster key vs two without,
#                          64, 1 000 and 60 000 B messages, numbered and checked (io.jtipc.bench.EncryptedThroughput)
#   bench/run.sh node      two JVMs on this host: two jtipc nodes over UDP loopback next to Java TCP and raw UDP
#                          (RDM 64/1 000/60 000 B one way, 64 B round trip, STREAM 200 MB), with CPU s per million
#                          messages, context switches and bytes allocated per message (io.jtipc.bench.NodeBench);
#                          NODE_ARGS (default "--rounds 3")
#   bench/run.sh scale     issue 16: N = 10, 25, 50, 100 jtipc nodes in memory (SimNetwork) and as separate nodes over
#                          UDP loopback in 3 child JVMs + the victim's: links, monitored peers, record size, probes/s per
#                          node against N-1 and √N, heap per node, detection of a SIGKILLed node (io.jtipc.bench.ClusterScale);
#                          SCALE_ARGS (default "--sim 10,25,50,100 --udp 10,25,50,100"); about 8 minutes (each UDP size above
#                          32 waits for monitor.c's 120 s domain-size re-check)
#   bench/run.sh veth      issue 14 over Ethernet: a veth pair inside a network namespace this script creates (and deletes);
#                          the C reference (bench/src/main/c/afpacket_ref.c, AF_PACKET with sendmmsg/recvmmsg) blasts
#                          1 032-byte frames (a 1 000 B RDM message's size on the wire) and ping-pongs 96-byte ones, then
#                          two jtipc nodes (eth:vb0 / eth:vb1, two JVMs) run NodeBench's one-way and round-trip tests;
#                          ratios jtipc / C. Needs root and gcc. VETH_ROUNDS (default 3), VETH_SECONDS (C blast, default 3)
#                          VETH_LINK_WINDOW (unset: the kernel default; N: the sending node's link window, as
#                          `tipc link set window N`, a configuration; bench/RESULTS.md "What paces 1 000 B one way over veth"),
#                          VETH_SEND_BATCH (unset: one message per send call; N: up to N per call, as the C blaster)
#   bench/run.sh rings     issue 14, the kernel's shared packet rings (PACKET_MMAP) against recvmmsg/sendmmsg on a veth
#                          pair: the C reference alone, 1 032-byte frames, four pairs a round (sendmmsg -> recvmmsg, ->
#                          TPACKET_V2 RX ring, -> TPACKET_V3 RX ring; TPACKET_V2 TX ring -> recvmmsg): received frames/s,
#                          CPU us per received frame (both processes), the receiver's sleeps per frame; and 96-byte round
#                          trips against an echo receiving through recv, either RX ring. Needs root and gcc.
#                          RINGS_ROUNDS (default 3), VETH_SECONDS (default 3); about 15 s a round
#   bench/run.sh lab       issue 14 in the kernel lab (root, qemu; NOT part of "all"): two Linux guests (qemu TCG) and a
#                          jtipc node (Ethernet bearer on a lab veth) on one bridge: echo throughput kernel A -> kernel B
#                          vs kernel A -> jtipc and jtipc -> kernel B, 64 and 1 000 B, numbered and checked, with the
#                          ratio jtipc pair / kernel pair, JVM and qemu CPU, load average (io.jtipc.bench.LabThroughput);
#                          LAB_ARGS (default "--kernel 6.1 --rounds 3 --seconds 3 --window 128"); about 3-5 minutes;
#                          writes bench/target/report-lab.md. Other labs on the host: run it under their lock (flock)
# Knobs (environment): RUNS (timed runs per tool, default 5), SETTLE (seconds of rest before each timed run, default
# 1; the order of the tools rotates from round to round, and the capture is read once before each run so that no
# run reads it from disk), FRAMES (list of minimum frame counts, default
# "200000 2000000 10000000"; the 7.6 GB one only if the disk has room, deleted after use), PROFILE (1: JFR profile
# of jtipc on the largest input, default 1), C1 (1: also time jtipc with -XX:TieredStopAtLevel=1, default 0), J25 (java of a JDK >= 24: also time jtipc on
# it with a JEP 483 AOT cache, row jtipc-jdk25-aot; default /usr/lib/jvm/temurin-25-jdk-amd64/bin/java if present,
# J25= to skip), KEEP (1: keep generated captures above 2 GB, default 0: deleted after use), JMH_ARGS (default:
# short settings, about a minute in all; also used by crypto-jmh), CRYPTO_ARGS (EncryptedThroughput's arguments,
# default "--sizes 64,1000,60000 --rounds 7 --seconds 3 --warmup 2").
# The compare part takes about 8 minutes on 2 cores (tshark on 10M frames:
# ~47 s a run). Besides the per-capture ratios, the report gives each tool's rate after start-up and warm-up:
# the slope between the smallest and the largest capture.
# Writes bench/target/report.md (and bench/target/jmh.txt).
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$root"
what="${1:-all}"
RUNS="${RUNS:-5}"
SETTLE="${SETTLE:-1}"
FRAMES="${FRAMES:-200000 2000000 10000000}"
JMH_ARGS="${JMH_ARGS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
target="$root/bench/target"
report="$target/report.md"

command -v mvn >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 || "$root/bin/setup"
case "$what" in
  all|compare|jmh|crypto|crypto-jmh|crypto-rdm|node|scale|veth|rings|lab) ;;
  *) echo "usage: bench/run.sh [all|compare|jmh|crypto|crypto-jmh|crypto-rdm|node|scale|veth|rings|lab]" >&2; exit 2 ;;
esac
CRYPTO_ARGS="${CRYPTO_ARGS:---sizes 64,1000,60000 --rounds 7 --seconds 3 --warmup 2}"
if [ "$what" = all ] || [ "$what" = compare ]; then
  echo "bench: building cli and bench jars..." >&2
  mvn -B -q -ntp -DskipTests -pl cli,bench -am package >&2
elif [ "$what" != rings ]; then # rings runs the C reference only
  echo "bench: building the bench jar..." >&2
  mvn -B -q -ntp -DskipTests -pl bench -am package >&2
fi
mkdir -p "$target"
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
  rm -f "$target/volume.txt"
  # the commands timed: tshark, jtipc as bin/jtipc runs it, and (C1=1, default) jtipc with C1-only JIT
  c1opts="-XX:TieredStopAtLevel=1"
  tools=(tshark jtipc); [ "${C1:-0}" = 1 ] && tools+=(jtipc-c1)
  # JDK >= 24 with an AOT cache (JEP 483/515) made by a training run on the sample, the same JVM options as bin/jtipc
  J25="${J25-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
  aot="$target/jtipc-jdk25.aot"
  j25vm=(-XX:+UseSerialGC -XX:-UsePerfData -Xlog:disable -Xlog:all=warning:stderr)
  if [ -n "$J25" ] && [ -x "$J25" ]; then
    rm -f "$aot"
    "$J25" "${j25vm[@]}" -XX:AOTCacheOutput="$aot" -jar "$jar" pcap "$root/samples/eth-6.1.pcap" > /dev/null 2>&1 || true
    [ -s "$aot" ] && tools+=(jtipc-jdk25-aot)
  fi
  runtool() { # runtool TOOL FILE: one run, output to /dev/null
    case "$1" in
      tshark) tshark -r "$2" > /dev/null 2>&1 ;;
      jtipc) "$jtipc" pcap "$2" > /dev/null 2>&1 ;;
      jtipc-c1) JTIPC_JAVA_OPTS="$c1opts" "$jtipc" pcap "$2" > /dev/null 2>&1 ;;
      jtipc-jdk25-aot) "$J25" "${j25vm[@]}" -XX:AOTCache="$aot" -jar "$jar" pcap "$2" > /dev/null 2>&1 ;;
    esac
  }
  # times TOOL... over FILE, RUNS interleaved rounds: sets med[TOOL], best[TOOL] (ns)
  declare -A med best slope_t0 slope_t1
  timeall() {
    local f="$1"; declare -A all
    local n=${#tools[@]}
    for i in $(seq 1 "$RUNS"); do
      # the order rotates from round to round, so no tool always runs right after another one; before each run the
      # capture is read into the page cache (file pages idle for a minute are paged out here, and the run after
      # a 45 s tshark run took hundreds of major faults), then SETTLE seconds of rest
      for k in $(seq 0 $((n - 1))); do
        t=${tools[$(( (i - 1 + k) % n ))]}
        cat "$f" > /dev/null # the capture in the page cache for every run (this machine's DAMON pages idle file pages out)
        sleep "$SETTLE"
        t0=$(now_ns); runtool "$t" "$f"; t1=$(now_ns); all[$t]="${all[$t]:-} $((t1 - t0))"
      done
      echo "bench: $(basename "$f") run $i:$(for t in "${tools[@]}"; do printf ' %s %d ms' "$t" "$(( ${all[$t]##* } / 1000000 ))"; done)" >&2
    done
    for t in "${tools[@]}"; do
      med[$t]=$(printf '%s\n' ${all[$t]} | median)
      best[$t]=$(printf '%s\n' ${all[$t]} | sort -n | awk 'NR==1')
    done
  }
  # start-up: the same commands on a capture with no frames (pcap file header only)
  empty="$target/empty.pcap"
  printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' > "$empty"
  "$jtipc" pcap "$empty" > /dev/null 2>&1 || true # first run after a build writes the AppCDS archive
  classes=$(JTIPC_JAVA_OPTS=-Xlog:class+load "$jtipc" pcap "$empty" 2>/dev/null | grep -c 'class,load' || true)
  fromjar=$(JTIPC_JAVA_OPTS=-Xlog:class+load "$jtipc" pcap "$empty" 2>/dev/null | grep 'class,load' | grep -vc 'shared objects file' || true)
  timeall "$empty"
  declare -A start
  for t in "${tools[@]}"; do start[$t]=${med[$t]}; done
  {
    echo "## jtipc pcap vs tshark (default one-line output, both to /dev/null)"
    echo
    echo "Input: samples/eth-6.1.pcap (1 218 real kernel frames) repeated with shifted timestamps."
    echo "Commands: \`bin/jtipc pcap FILE > /dev/null\` (java -jar cli/target/jtipc.jar with the options and static AppCDS"
    echo "archive of bin/jtipc; $classes classes loaded on an empty capture, $fromjar of them not from the archive),"
    echo "$([ "${C1:-0}" = 1 ] && echo "the same with \`JTIPC_JAVA_OPTS=$c1opts\` (jtipc-c1, C1-only JIT),")$([ -n "$J25" ] && [ -s "$aot" ] && echo " the jar on $("$J25" -version 2>&1 | awk 'NR==1') with a JEP 483 AOT cache from a training run on the sample (jtipc-jdk25-aot),") and"
    echo "\`tshark -r FILE > /dev/null\`; $RUNS interleaved rounds (order rotated each round; before each run the capture is read into the page cache, then ${SETTLE} s rest), wall clock; load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo "Start-up = median of the same command on a capture with no frames:$(for t in "${tools[@]}"; do printf ' %s %d ms,' "$t" "$(( start[$t] / 1000000 ))"; done)"
    echo "\"with start-up\" = frames / whole run (median); \"without\" = frames / (median run − start-up). Ratio = tshark time / jtipc time."
    echo
    echo "| frames | file MB | tool | ms median (best) | frames/s with start-up | frames/s without | ratio with start-up | ratio without |"
    echo "|---|---|---|---|---|---|---|---|"
  } >> "$report"
  for want in $FRAMES; do
    big="$target/eth-6.1-x$want.pcap"
    need=$(( want * 780 / 1024 + 1048576 )) # KiB: ~760 bytes per frame, 1 GiB spare
    if [ ! -f "$big" ] && [ "$(df -Pk "$target" | awk 'NR==2 {print $4}')" -lt "$need" ]; then
      echo "bench: not enough free space for $want frames ($((need / 1048576)) GiB needed), skipped" >&2
      continue
    fi
    frames=$(java -cp "$benchjar" io.jtipc.bench.CaptureRepeater "$root/samples/eth-6.1.pcap" "$big" "$want")
    sync "$big" # written back before the timings, not during them
    size=$(stat -c %s "$big")
    echo "bench: $big: $frames frames, $size bytes" >&2
    # one untimed run each: page cache, same output volume check
    jl=$("$jtipc" pcap "$big" 2>/dev/null | wc -l); tl=$(tshark -r "$big" 2>/dev/null | wc -l)
    timeall "$big"
    tnet=$(( med[tshark] > start[tshark] ? med[tshark] - start[tshark] : 1 ))
    for t in "${tools[@]}"; do
      net=$(( med[$t] > start[$t] ? med[$t] - start[$t] : 1 ))
      if [ "$t" = tshark ]; then r1="1"; r2="1"; else
        r1=$(awk -v a="${med[tshark]}" -v b="${med[$t]}" 'BEGIN {printf "**%.1f×**", a / b}')
        r2=$(awk -v a="$tnet" -v b="$net" 'BEGIN {printf "**%.1f×**", a / b}')
      fi
      echo "| $frames | $((size / 1000000)) | $t | $((med[$t] / 1000000)) ($((best[$t] / 1000000))) | $(rate "$frames" "${med[$t]}") | $(rate "$frames" "$net") | $r1 | $r2 |" >> "$report"
    done
    # kept for the rate after start-up and warm-up (the slope between the smallest and largest capture)
    if [ -z "${slope_f0:-}" ]; then slope_f0=$frames; for t in "${tools[@]}"; do slope_t0[$t]=${med[$t]}; done; fi
    slope_f1=$frames; for t in "${tools[@]}"; do slope_t1[$t]=${med[$t]}; done
    echo "  $frames frames: output lines jtipc $jl (one per TIPC message), tshark $tl (one per frame)" >> "$target/volume.txt"
    if [ "${PROFILE:-1}" = 1 ] && [ "$want" = "${FRAMES##* }" ]; then profiled="$big"; profiledframes=$frames; continue; fi
    [ "${KEEP:-0}" = 1 ] || [ "$size" -lt 2000000000 ] || rm -f "$big"
  done
  echo >> "$report"
  if [ -n "${slope_f0:-}" ] && [ "$slope_f1" -gt "$slope_f0" ]; then
    # a tool's steady rate: the frames added between the smallest and the largest capture over the time added
    # (medians), so the fixed costs (start-up, JIT warm-up, tshark's own set-up) cancel out for both tools
    {
      echo "Rate after start-up and warm-up (slope between the $slope_f0- and $slope_f1-frame captures: extra frames / extra median time):"
      echo
      echo "| tool | frames/s | ratio to tshark |"
      echo "|---|---|---|"
      dt=$(( slope_t1[tshark] - slope_t0[tshark] ))
      for t in "${tools[@]}"; do
        d=$(( slope_t1[$t] - slope_t0[$t] ))
        if [ "$d" -le 0 ] || [ "$dt" -le 0 ]; then echo "| $t | (no slope: the larger capture was not slower) | |"; continue; fi
        r=$([ "$t" = tshark ] && echo 1 || awk -v a="$dt" -v b="$d" 'BEGIN {printf "**%.1f×**", a / b}')
        echo "| $t | $(rate $(( slope_f1 - slope_f0 )) "$d") | $r |"
      done
      echo
    } >> "$report"
  fi
  if [ -f "$target/volume.txt" ]; then
    { echo "Output volume (one untimed run each):"; echo '```'; cat "$target/volume.txt"; echo '```'; echo; } >> "$report"
    rm -f "$target/volume.txt"
  fi
  if [ "${PROFILE:-1}" = 1 ] && [ -n "${profiled:-}" ]; then
    # where jtipc's time goes: JFR execution samples every 1 ms on the largest input
    jfrfile="$target/jtipc-pcap.jfr"
    java -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -XX:StartFlightRecording=filename="$jfrfile",settings=profile,jdk.ExecutionSample#period=1ms \
      -jar "$jar" pcap "$profiled" > /dev/null 2>&1
    [ "${KEEP:-0}" = 1 ] || [ "$(stat -c %s "$profiled")" -lt 2000000000 ] || rm -f "$profiled"
    jfr print --events jdk.ExecutionSample "$jfrfile" > "$target/jfr-samples.txt"
    total=$(grep -c 'jdk.ExecutionSample' "$target/jfr-samples.txt" || true)
    {
      echo "### Profile of \`jtipc pcap\` on $profiledframes frames (JFR, $total samples at 1 ms)"
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
  # shellcheck disable=SC2086
  java -jar "$benchjar" CoreSendBenchmark -prof gc $JMH_ARGS | tee "$target/jmh-core.txt" >&2
  {
    echo "## JMH: one RDM message through two protocol cores on the in-memory network (\`-prof gc\`, $JMH_ARGS)"
    echo
    echo '```'
    grep -E '^(Benchmark|CoreSendBenchmark)' "$target/jmh-core.txt" | grep -Ev 'gc\.(count|time)|churn' || true
    echo '```'
    echo
  } >> "$report"
fi
if [ "$what" = all ] || [ "$what" = crypto ] || [ "$what" = crypto-jmh ]; then
  # every implementation and size with the data path's 16-byte header, then the 28-byte discovery header on 64 B
  # shellcheck disable=SC2086
  java -jar "$benchjar" AesGcmBenchmark -prof gc -p ehdr=16 $JMH_ARGS | tee "$target/jmh-crypto.txt" >&2
  # shellcheck disable=SC2086
  java -jar "$benchjar" AesGcmBenchmark -prof gc -p ehdr=28 -p size=64 $JMH_ARGS | tee "$target/jmh-crypto28.txt" >&2
  {
    echo "## JMH: AES-256-GCM seal/open as the data path does it (\`-prof gc\`, $JMH_ARGS)"
    echo
    echo "Load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share the CPU: compare within the table)."
    echo
    echo '```'
    grep -hE '^(Benchmark|AesGcmBenchmark)' "$target/jmh-crypto.txt" | grep -Ev 'gc\.(count|time)|churn|alloc\.rate ' || true
    grep -hE '^AesGcmBenchmark' "$target/jmh-crypto28.txt" | grep -Ev 'gc\.(count|time)|churn|alloc\.rate ' || true
    echo '```'
    echo
  } >> "$report"
fi

if [ "$what" = all ] || [ "$what" = crypto ] || [ "$what" = crypto-rdm ]; then
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  # shellcheck disable=SC2086
  java -cp "$benchjar" io.jtipc.bench.EncryptedThroughput $CRYPTO_ARGS > "$target/crypto-rdm.md"
  {
    echo "## RDM throughput over UDP loopback: cluster key (AES-256-GCM) vs no key"
    echo
    echo "One JVM, two pairs of jtipc nodes (TipcNode/TipcSocket), one sender and one receiver thread per pair, rounds"
    echo "alternating between the pairs; \`java -cp bench/target/jtipc-benchmarks.jar io.jtipc.bench.EncryptedThroughput $CRYPTO_ARGS\`;"
    echo "load average before: $load. CPU µs/msg = process CPU time (both nodes, all threads) / messages."
    echo
    cat "$target/crypto-rdm.md"
    echo
  } >> "$report"
fi
if [ "$what" = all ] || [ "$what" = node ]; then
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  NODE_ARGS="${NODE_ARGS:---rounds 3}"
  # shellcheck disable=SC2086
  java -cp "$benchjar" io.jtipc.bench.NodeBench $NODE_ARGS > "$target/node.md"
  {
    echo "## Live messaging: two JVMs, jtipc over UDP loopback vs Java TCP and raw UDP"
    echo
    echo "\`java -cp bench/target/jtipc-benchmarks.jar io.jtipc.bench.NodeBench $NODE_ARGS\`; load average before: $load."
    echo
    cat "$target/node.md"
    echo
  } >> "$report"
fi
if [ "$what" = all ] || [ "$what" = scale ]; then
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  SCALE_ARGS="${SCALE_ARGS:---sim 10,25,50,100 --udp 10,25,50,100}"
  # shellcheck disable=SC2086
  java -cp "$benchjar" io.jtipc.bench.ClusterScale $SCALE_ARGS > "$target/scale.md"
  {
    echo "## Cluster scale: N nodes in memory and over UDP loopback (issue 16)"
    echo
    echo "\`java -cp bench/target/jtipc-benchmarks.jar io.jtipc.bench.ClusterScale $SCALE_ARGS\`; load average before: $load."
    echo
    cat "$target/scale.md"
    echo
  } >> "$report"
fi
# The C reference built and a veth pair vb0/vb1 up in a network namespace of its own ($ns, deleted on exit; nothing
# routed out of it); sets ns, mac1 (vb1's MAC), load, ref and VETH_SECONDS. Used by the veth and rings parts.
veth_pair_up() {
  command -v gcc >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gcc >/dev/null; }
  gcc -O2 -Wall -o "$target/afpacket_ref" "$root/bench/src/main/c/afpacket_ref.c"
  VETH_SECONDS="${VETH_SECONDS:-3}"
  ns="jtipc-bench-veth-$$"
  ip netns add "$ns"
  trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
  ip -n "$ns" link set lo up
  ip -n "$ns" link add vb0 type veth peer name vb1
  ip -n "$ns" link set vb0 up
  ip -n "$ns" link set vb1 up
  mac1=$(ip -n "$ns" -br link show vb1 | awk '{print $3}')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  ref="$target/afpacket_ref"
}
med() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]; else print "nan"}'; }
if [ "$what" = all ] || [ "$what" = veth ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench veth: needs root (AF_PACKET, network namespaces); skipped" >&2
  else
    veth_pair_up
    VETH_ROUNDS="${VETH_ROUNDS:-3}"
    : > "$target/veth-c.txt"
    for r in $(seq 1 "$VETH_ROUNDS"); do
      ip netns exec "$ns" "$ref" sink vb1 "$VETH_SECONDS" > "$target/veth-sink.txt" &
      sinkpid=$!
      sleep 0.3
      ip netns exec "$ns" "$ref" blast vb0 "$mac1" 1032 "$VETH_SECONDS" >> "$target/veth-c.txt"
      wait "$sinkpid"
      grep -v '^ready' "$target/veth-sink.txt" >> "$target/veth-c.txt"
      ip netns exec "$ns" "$ref" pong vb1 60 > /dev/null &
      pongpid=$!
      sleep 0.3
      ip netns exec "$ns" "$ref" ping vb0 "$mac1" 96 20000 >> "$target/veth-c.txt"
      kill "$pongpid" 2>/dev/null || true
      wait "$pongpid" 2>/dev/null || true
    done
    # jtipc: NodeBench's one-way and round-trip tests over the same veth pair (node A on vb0 here, B on vb1 in the peer JVM)
    # VETH_LINK_WINDOW=N: the sending node's link window as `tipc link set window N` (a configuration, not the default)
    lw=(); [ -n "${VETH_LINK_WINDOW:-}" ] && lw=(-Dnodebench.linkWindow="$VETH_LINK_WINDOW")
    # VETH_SEND_BATCH=N: the jtipc one-way sender passes up to N messages per send call (as the C blaster's sendmmsg)
    [ -n "${VETH_SEND_BATCH:-}" ] && lw+=(-Dnodebench.sendBatch="$VETH_SEND_BATCH")
    ip netns exec "$ns" java "${lw[@]}" -cp "$benchjar" io.jtipc.bench.NodeBench --rounds "$VETH_ROUNDS" --only oneway,rtt \
      --bearer-a eth:vb0 --bearer-b eth:vb1 --no-reference > "$target/veth-jtipc.md"
    c_rate=$(grep '^frames=' "$target/veth-c.txt" | grep -o 'frames_per_s=[0-9]*' | sed 's/.*=//' | med)
    c_rtt=$(grep -o 'median_us=[0-9.]*' "$target/veth-c.txt" | sed 's/.*=//' | med)
    j_rate=$(awk -F'|' '$2 ~ /one way 1000 B/ && $3 ~ /jtipc/ {gsub(/ /, "", $5); print $5}' "$target/veth-jtipc.md" | head -1)
    j_rtt=$(awk -F'|' '$2 ~ /64 B round trip/ && $3 ~ /jtipc/ {gsub(/ /, "", $7); print $7}' "$target/veth-jtipc.md" | head -1)
    {
      echo "## Issue 14 over Ethernet: jtipc on a veth pair vs the C AF_PACKET reference on the same pair"
      echo
      echo "\`bench/run.sh veth\` ($VETH_ROUNDS rounds; C blast ${VETH_SECONDS} s a round${VETH_LINK_WINDOW:+; link window $VETH_LINK_WINDOW (VETH_LINK_WINDOW, a configuration)}${VETH_SEND_BATCH:+; jtipc sends up to $VETH_SEND_BATCH messages per call (VETH_SEND_BATCH)}); load average before: $load."
      echo
      echo "C reference, every round (blast: sent; sink: received; ping: 96-byte frames to an echoing pong):"
      echo
      echo '```'
      cat "$target/veth-c.txt"
      echo '```'
      echo
      cat "$target/veth-jtipc.md"
      echo
      echo "| over one veth pair | jtipc | C AF_PACKET | jtipc / C | issue 14 target |"
      echo "|---|---|---|---|---|"
      awk -v j="$j_rate" -v c="$c_rate" 'BEGIN {printf "| 1 000 B one way, received msg/s (C: 1 032 B frames) | %s | %s | %.2f | >= 0.80 |\n", j, c, (c > 0 ? j / c : 0)}'
      awk -v j="$j_rtt" -v c="$c_rtt" 'BEGIN {printf "| 64 B round trip, median us (C: 96 B frames) | %s | %s | %.2f | <= 3.00 |\n", j, c, (c > 0 ? j / c : 0)}'
      echo
    } >> "$report"
    ip netns del "$ns"
    trap - EXIT
  fi
fi
if [ "$what" = all ] || [ "$what" = rings ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "bench rings: needs root (AF_PACKET, network namespaces); skipped" >&2
  else
    veth_pair_up
    RINGS_ROUNDS="${RINGS_ROUNDS:-3}"
    rows="$target/rings-rows.txt"
    : > "$rows"
    # one pair: $1 its label, $2 the sink's mode and arguments after IF SECONDS, $3 the blaster's mode
    ring_pair() {
      ip netns exec "$ns" "$ref" $2 > "$target/rings-sink.txt" &
      local sinkpid=$!
      sleep 0.3
      ip netns exec "$ns" "$ref" "$3" vb0 "$mac1" 1032 "$VETH_SECONDS" > "$target/rings-blast.txt"
      wait "$sinkpid"
      local s b
      s=$(grep '^frames=' "$target/rings-sink.txt")
      b=$(grep '^sent=' "$target/rings-blast.txt")
      echo "$1 | $s | $b" >> "$target/rings-c.txt"
      awk -v label="$1" -v s="$s" -v b="$b" 'function get(line, k,   m) { if (match(line, k "=[0-9.]+")) return substr(line, RSTART + length(k) + 1, RLENGTH - length(k) - 1); return 0 }
        BEGIN { f = get(s, "frames"); cpu = get(s, "cpu_s") + get(b, "cpu_s"); p = get(s, "vcsw")
                printf "%s\t%d\t%.2f\t%.2f\t%s\n", label, get(s, "frames_per_s"), (f > 0 ? cpu / f * 1e6 : 0),
                       (f > 0 ? get(s, "cpu_s") / f * 1e6 : 0), (p > 0 && f > 0 ? sprintf("%.3f", p / f) : "-") }' >> "$rows"
    }
    # round trips: ping against an echo whose receive is $2 (mode and arguments after IF SECONDS); 2 000 of 96 bytes
    ring_rtt() {
      ip netns exec "$ns" "$ref" $2 > /dev/null &
      local pongpid=$!
      sleep 0.3
      local m
      m=$(ip netns exec "$ns" "$ref" ping vb0 "$mac1" 96 2000 | grep -o 'median_us=[0-9.]*' | sed 's/.*=//')
      kill "$pongpid" 2>/dev/null || true
      wait "$pongpid" 2>/dev/null || true
      printf '%s\t%s\n' "$1" "${m:-nan}" >> "$target/rings-rtt.txt"
    }
    : > "$target/rings-c.txt"
    : > "$target/rings-rtt.txt"
    for r in $(seq 1 "$RINGS_ROUNDS"); do
      ring_pair "sendmmsg -> recvmmsg" "sink vb1 $VETH_SECONDS" blast
      ring_pair "sendmmsg -> RX ring TPACKET_V2" "sink-ring vb1 $VETH_SECONDS 2" blast
      ring_pair "sendmmsg -> RX ring TPACKET_V3" "sink-ring vb1 $VETH_SECONDS 3" blast
      ring_pair "TX ring TPACKET_V2 -> recvmmsg" "sink vb1 $VETH_SECONDS" blast-ring
      ring_rtt "sendmmsg -> recvmmsg" "pong vb1 60"
      ring_rtt "sendmmsg -> RX ring TPACKET_V2" "pong-ring vb1 60 2"
      ring_rtt "sendmmsg -> RX ring TPACKET_V3" "pong-ring vb1 60 3"
    done
    {
      echo "## Issue 14: the kernel's packet rings (PACKET_MMAP) vs recvmmsg/sendmmsg on a veth pair, C reference"
      echo
      echo "\`bench/run.sh rings\` ($RINGS_ROUNDS rounds, ${VETH_SECONDS} s per pair, 1 032-byte frames, 64 per send call); load average before: $load."
      echo "CPU per frame: both processes' user + system time (on a veth the receiving socket's softirq work runs in the sender's system calls and is charged to it, without CONFIG_IRQ_TIME_ACCOUNTING and unless deferred to ksoftirqd) / frames received; kernel $(uname -r)."
      echo
      echo '```'
      cat "$target/rings-c.txt"
      echo '```'
      echo
      echo "| sender -> receiver | received frames/s, median | CPU us per frame, both, median | receiver's CPU us per frame, median | receiver's sleeps (voluntary context switches) per frame, median | round trip median us (96-byte frames, the receiver echoes; ping sends one at a time) |"
      echo "|---|---|---|---|---|---|"
      for label in "sendmmsg -> recvmmsg" "sendmmsg -> RX ring TPACKET_V2" "sendmmsg -> RX ring TPACKET_V3" "TX ring TPACKET_V2 -> recvmmsg"; do
        col() { awk -F'\t' -v l="$label" -v c="$1" '$1 == l {print $c}' "$2" | med; }
        rtt=$(col 2 "$target/rings-rtt.txt")
        [ "$rtt" = nan ] && rtt=-
        echo "| $label | $(col 2 "$rows") | $(col 3 "$rows") | $(col 4 "$rows") | $(col 5 "$rows") | $rtt |"
      done
      echo
    } >> "$report"
    ip netns del "$ns"
    trap - EXIT
  fi
fi
if [ "$what" = lab ]; then
  # not in "all": it needs root and qemu, boots two guests, and must not overlap another lab on the host
  LAB_ARGS="${LAB_ARGS:---kernel 6.1 --rounds 3 --seconds 3 --window 128}"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  rm -f "$target/lab.md"
  set +e
  # shellcheck disable=SC2086
  java -cp "$benchjar" io.jtipc.bench.LabThroughput $LAB_ARGS > "$target/lab.md"
  rc=$?
  set -e
  {
    echo "## Issue 14 in the lab: jtipc ↔ kernel vs kernel ↔ kernel on one bridge"
    echo
    echo "\`java -cp bench/target/jtipc-benchmarks.jar io.jtipc.bench.LabThroughput $LAB_ARGS\` (as root); load average before: $load; exit status $rc."
    echo
    [ -f "$target/lab.md" ] && cat "$target/lab.md"
    echo
  } >> "$report"
  cp "$report" "$target/report-lab.md"
  cat "$report"
  exit "$rc"
fi
cat "$report"
