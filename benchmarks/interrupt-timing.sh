#!/usr/bin/env bash
# Time from a signal to process exit for `sfd optimize`, and what it leaves behind.
# Usage: benchmarks/interrupt-timing.sh [RUNS]   (needs target/sfd.jar: mvn -B -ntp package -DskipTests)
# Each run starts `optimize resnet50 --hw edge` with its own temp folder, waits for the first CP-SAT mapping solve
# (SIGINT) or for the Timefold segmenter of resnet18 (SIGTERM), sends the signal and reports exit code, milliseconds
# from signal to exit, and the files left in the temp and output folders.
set -uo pipefail
set -m  # job control: background jobs of a script otherwise ignore SIGINT
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
one() { # signal waitfor args...
  local sig="$1" wait="$2"; shift 2
  local t="$work/tmp" o="$work/out" log="$work/log"
  rm -rf "$t" "$o"; mkdir -p "$t" "$o"
  java -Djava.io.tmpdir="$t" -jar "$here/target/sfd.jar" "$@" --out "$o" -v >"$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 1800); do grep -q "$wait" "$log" && break; sleep 0.1; done
  sleep 0.3
  local t0; t0=$(date +%s%N)
  kill -"$sig" "$pid"
  wait "$pid"; local rc=$?
  local t1; t1=$(date +%s%N)
  echo "SIG$sig exit $rc after $(( (t1 - t0) / 1000000 )) ms; temp folder: $(ls -A "$t" | wc -l) entries; out folder: $(ls -A "$o" | wc -l) entries"
}
for i in $(seq 1 "$runs"); do
  one INT "CP-SAT (" optimize resnet50 --hw edge --solver dp
  one TERM "Mapped (" optimize resnet18 --hw edge --mapper heuristic --solver timefold --time-limit 120
done
