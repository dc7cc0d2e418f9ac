"""Timing helpers shared by the benchmark scripts behind scripts/bench-onnx (python/bench_onnx_policy.py and
tools/bench_{act,flow,diffusion}_torch.py): JSON lines in its format. No dependencies beyond the standard library."""
import json
import statistics
import time


def timed(fn, n, warmup):
    """Milliseconds of `fn(i)` for n calls after `warmup` untimed ones."""
    samples = []
    for i in range(warmup + n):
        start = time.perf_counter()
        fn(i)
        if i >= warmup:
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def emit(**fields):
    print(json.dumps(fields, sort_keys=True), flush=True)


def summary(samples):
    ordered = sorted(samples)
    return {"median_ms": statistics.median(samples), "p90_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))],
            "mean_ms": statistics.fmean(samples)}
