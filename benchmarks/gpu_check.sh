#!/usr/bin/env bash
# One prepared check for a CUDA machine (run from the repository root; about 3-5 minutes on one GPU):
#   1. the digits demo on CUDA (wall time and final top-1),
#   2. ResNet-50 training throughput on in-memory 224 px batches, clsrun train vs a hand-written loop,
#      in fp32, bf16 + channels_last and fp16 + GradScaler,
#   3. the data side: images/s of the train loader (seed pipeline on ~500x375 JPEGs, 16 workers, uint8
#      to the GPU, normalised there), next to the bf16 + channels_last step throughput of 2.: whichever
#      is lower is the limit.
# Results: printed, and appended as JSON lines to $OUT/gpu_train.jsonl (OUT defaults to bench-results).
set -uo pipefail
PY=${PYTHON:-python}
OUT=${OUT:-bench-results}
BATCH=${BATCH:-128}
mkdir -p "$OUT"

echo "== environment"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'bf16', torch.cuda.is_bf16_supported())"

echo "== digits demo on CUDA: clsrun train configs/digits/resnet18_digits.yaml --device cuda"
start=$SECONDS
$PY -m clscore train configs/digits/resnet18_digits.yaml --device cuda --work-dir "$OUT/digits_cuda" \
    > "$OUT/digits_cuda.log" 2>&1
status=$?
grep -E "Epoch\(val\) \[10\]|best|Error" "$OUT/digits_cuda.log" | tail -4
echo "digits demo exit status $status, wall $((SECONDS - start)) s"

echo "== ResNet-50, in-memory 224 px, batch $BATCH, 8 workers: clsrun train vs hand-written loop"
for precision in "fp32" "bf16 --channels-last" "fp16"; do
    # shellcheck disable=SC2086
    $PY benchmarks/bench_train.py --device cuda --model resnet50 --data digits --img-size 224 \
        --batch "$BATCH" --workers 8 --iters 40 --warmup 10 --repeats 1 --precision $precision \
        --out "$OUT/gpu_train.jsonl" 2> "$OUT/bench_stderr.log" || tail -20 "$OUT/bench_stderr.log"
done

echo "== the data side: train loader with 16 workers, seed pipeline at 224 px, batch $BATCH, uint8 to cuda"
$PY benchmarks/bench_loader.py --device cuda --workers "${WORKERS:-16}" --batch "$BATCH" --batches 40 \
    --out "$OUT/gpu_train.jsonl" 2> "$OUT/loader_stderr.log" || tail -20 "$OUT/loader_stderr.log"
$PY - "$OUT/gpu_train.jsonl" <<'PYEOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
step = [r for r in rows if r.get("bench") == "train" and r.get("precision") == "bf16+channels_last"]
data = [r for r in rows if r.get("bench") == "train_loader"]
if step and data:
    model = step[-1]["clsrun_runs"][-1]["img_s"]
    loader = data[-1]["img_s"]
    print(f"loader {loader:.0f} img/s vs ResNet-50 bf16+channels_last step {model:.0f} img/s: "
          f"the {'loader' if loader < model else 'GPU'} is the limit")
PYEOF
echo "== done; JSON lines in $OUT/gpu_train.jsonl"
