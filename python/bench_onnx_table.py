"""Formats the JSON lines of the ONNX policy benchmarks (stdin, each line prefixed by '<case>\t') as markdown tables."""
import json
import sys
from collections import defaultdict

rows = defaultdict(dict)
robots = defaultdict(dict)
for line in sys.stdin:
    if "\t" not in line:
        continue
    case, text = line.rstrip("\n").split("\t", 1)
    try:
        r = json.loads(text)
    except ValueError:
        continue
    if r["what"] == "robots":
        robots[case][(r["impl"], r["robots"])] = r
    else:
        rows[case][(r["impl"], r["what"])] = r

impls = [("swift", "Swift + ONNX Runtime"), ("python_onnxruntime", "Python onnxruntime"), ("pytorch_eager", "PyTorch eager")]
print("| case | implementation | full path per chunk (median / p90 ms) | network only (median ms) |")
print("|---|---|---|---|")
for case, results in rows.items():
    for impl, label in impls:
        full, net = results.get((impl, "full")), results.get((impl, "ort_only"))
        if full:
            network = f"{net['median_ms']:.2f}" if net else "–"
            print(f"| {case} | {label} | {full['median_ms']:.2f} / {full['p90_ms']:.2f} | {network} |")
parts = {case: results for case, results in rows.items() if any(what == "encoder_only" for _, what in results)}
if parts:
    print()
    print("| case | implementation | encoder alone (median ms) | one denoiser step alone (median ms) |")
    print("|---|---|---|---|")
    for case, results in parts.items():
        for impl, label in impls:
            encoder, step = results.get((impl, "encoder_only")), results.get((impl, "denoiser_step_only"))
            if encoder and step:
                print(f"| {case} | {label} | {encoder['median_ms']:.3f} | {step['median_ms']:.3f} |")
print()
print("| case | implementation | robots | round-robin chunks/s | batched chunks/s | batched latency per robot (ms) |")
print("|---|---|---|---|---|---|")
for case, results in robots.items():
    for impl, label in impls:
        for (i, n), r in sorted(results.items()):
            if i == impl:
                print(f"| {case} | {label} | {n} | {r['round_robin_chunks_per_s']:.1f} | {r['batch_chunks_per_s']:.1f} | {r['batch_ms']:.2f} |")
