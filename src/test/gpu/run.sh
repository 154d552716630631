#!/usr/bin/env bash
# The prepared GPU check: builds the CUDA flavour (-Pgpu: onnxruntime_gpu, needs CUDA 12 + cuDNN 9), then runs
# `bench --json` for the shipped 28×28 model and the heavy ResNet-18-sized one with inference.device=cuda, and
# prints each JSON line; then the pipeline stage alone with 1, 2 and 4 stream threads, and as two instances of 2
# threads each against the one broker (`--instances 2`: one consumer group), to show how throughput grows with threads
# and instances once inference is off the CPU (docs/performance.md, "Beyond one machine", is the model it checks);
# last, one thread without the inference worker (inference.overlap=false), to compare with the first of those.
# Sized to finish in about 8 minutes on one GPU: short time budgets, no mining banks beyond 100k.
#
#   src/test/gpu/run.sh [HEAVY_MODEL_DIR]     (default /tmp/hardneg-heavy/heavy-resnet18/1)
set -euo pipefail
cd "$(dirname "$0")/../../.."
HEAVY="${1:-/tmp/hardneg-heavy/heavy-resnet18/1}"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || { echo "no GPU visible" >&2; exit 2; }
mvn -q -B -Pgpu -DskipTests package
if [ ! -f "$HEAVY/model.onnx" ]; then
  /usr/bin/python3 src/main/python/export_heavy_model.py --out "$HEAVY"
fi
JAVA=(java --add-modules jdk.incubator.vector -jar target/hardneg.jar bench --json --device cuda)
echo "== 28x28 model on cuda" >&2
timeout 150 "${JAVA[@]}" --images 20000 --time-scale 0.5 --repeats 1 | tail -n 1
echo "== heavy model on cuda" >&2
timeout 150 "${JAVA[@]}" --model "$HEAVY" --images 4000 --time-scale 0.5 --repeats 1 --batch-sizes 1,32,128,256 \
  --mining-banks 100000 | tail -n 1
for threads in 1 2 4; do  # `images` has 4 partitions: more threads would idle
  echo "== 28x28 model on cuda, pipeline only, streams.threads=$threads" >&2
  timeout 90 "${JAVA[@]}" --stages pipeline --images 40000 --time-scale 0.3 --repeats 1 \
    --set "streams.threads=$threads" | tail -n 1
done
# The same 4 stream threads as the last run, split over two instances: compare their pipeline_images_per_s
echo "== 28x28 model on cuda, pipeline only, 2 instances x streams.threads=2" >&2
timeout 90 "${JAVA[@]}" --stages pipeline --images 40000 --time-scale 0.3 --repeats 1 --instances 2 \
  --set streams.threads=2 | tail -n 1
# Inference off the CPU is where overlapping it with publishing should pay: one thread with and without the worker
echo "== 28x28 model on cuda, pipeline only, streams.threads=1, inference.overlap=false" >&2
timeout 90 "${JAVA[@]}" --stages pipeline --images 40000 --time-scale 0.3 --repeats 1 \
  --set streams.threads=1 --set inference.overlap=false | tail -n 1
