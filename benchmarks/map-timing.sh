#!/usr/bin/env sh
# Whole-network mapping time (fronts included) of cpsat, exhaustive and heuristic on edge.
set -e
cd "$(dirname "$0")/.."
mvn -B -ntp -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
java -cp target/test-classes:target/classes:$(cat target/cp.txt) dev.sfd.bench.MapTiming "${1:-resnet50,mobilenet_v2,bert_base}" "${2:-edge}"
