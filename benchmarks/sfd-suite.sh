#!/usr/bin/env bash
# Runs `sfd optimize` (SFD planner, simulated) for every network x hardware pair and prints a Markdown table
# of report.json fields. Usage: benchmarks/sfd-suite.sh [networks] [hardware] [extra optimize args...]
#   benchmarks/sfd-suite.sh resnet18,resnet50,mobilenet_v2 edge,cloud --solver auto
# Needs python3 (for reading report.json). Outputs go to ${SFD_SUITE_OUT:-target/sfd-suite}/NET-HW/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
nets="${1:-resnet18,resnet50,mobilenet_v2,vgg16,vgg19,bert_base,bert_base_s512,gpt2_small,vit_b16}"
hws="${2:-edge,cloud}"
shift $(( $# > 2 ? 2 : $# )) || true
outdir="${SFD_SUITE_OUT:-$here/target/sfd-suite}"
mkdir -p "$outdir"
echo "| network | hw | latency / bound | speedup vs layerwise | DRAM / compulsory | segments (fused, longest) | repairs | merges | analysed / simulated | solver | status | optimizer wall s | exit |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
IFS=, read -ra NETS <<< "$nets"
IFS=, read -ra HWS <<< "$hws"
for hw in "${HWS[@]}"; do
  for net in "${NETS[@]}"; do
    dir="$outdir/$net-$hw"
    start=$(date +%s.%N)
    set +e
    "$here/sfd" optimize "$net" --hw "$hw" --no-progress --out "$dir" "$@" > "$dir.log" 2>&1
    code=$?
    set -e
    end=$(date +%s.%N)
    python3 - "$dir/report.json" "$net" "$hw" "$code" "$start" "$end" <<'PY'
import json, sys
path, net, hw, code, start, end = sys.argv[1:]
wall = float(end) - float(start)
try:
    r = json.load(open(path))
except Exception:
    print(f"| {net} | {hw} | — | — | — | — | — | — | — | — | — | {wall:.1f} | {code} |")
    sys.exit(0)
segs = [s["operators"].split(",") for s in r["segments"]]
fused = sum(1 for s in segs if len(s) > 1)
longest = max(len(s) for s in segs)
solver = r.get("solver", {})
runs = "+".join(x["solver"] for x in solver.get("runs", []))
status = r["solverStatus"] + (" (fallback)" if r.get("fallback") else "")
print(f"| {net} | {hw} | {r['boundRatio']:.2f} | {r['layerwise']['speedup']:.2f}x | {r['dramBytesOverCompulsory']:.2f} "
      f"| {r['segmentCount']} ({fused}, {longest}) | {len(r.get('repairs', []))} | {len(r.get('merges', []))} "
      f"| {solver.get('analysedCycles', 0) / r['latencyCycles']:.3f} | {runs} -> {solver.get('used')} | {status} "
      f"| {r['timings']['stageMillis']['total'] / 1000:.1f} | {code} |")
PY
  done
done
