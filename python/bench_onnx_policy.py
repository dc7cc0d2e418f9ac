"""Per-chunk latency of a model package on Python onnxruntime, the same measurements as
Benchmarks/onnx-policy-bench: the full path (numpy pre-processing as LeRobot's formulas, onnxruntime, numpy
post-processing) and onnxruntime alone on prepared inputs; N robots one by one vs one batch. JSON lines on stdout.

usage: bench_onnx_policy.py <package dir> [--iterations 50] [--warmup 5] [--batches 1,2,4,8] [--threads 1]
"""
import argparse
import json
import os
import statistics

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file

from bench_timing import emit, summary, timed
from onnx_policy_fixtures import normalize, unnormalize


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("package")
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batches", default="1,2,4,8")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    root = args.package
    config = json.load(open(os.path.join(root, "config.json")))
    package = json.load(open(os.path.join(root, "onnx", "model.json")))
    pre = json.load(open(os.path.join(root, "policy_preprocessor.json")))
    post = json.load(open(os.path.join(root, "policy_postprocessor.json")))
    norm_step = next(s for s in pre["steps"] if s["registry_name"] == "normalizer_processor")
    unnorm_step = next(s for s in post["steps"] if s["registry_name"] == "unnormalizer_processor")
    stats = load_file(os.path.join(root, norm_step["state_file"]))
    post_stats = load_file(os.path.join(root, unnorm_step["state_file"]))
    norm_map = norm_step["config"]["norm_map"]

    def stats_of(source, key):
        return {k[len(key) + 1:]: v for k, v in source.items() if k.startswith(key + ".")}

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    session = ort.InferenceSession(os.path.join(root, "onnx", package["graphs"]["chunk"]["file"]), options,
                                   providers=["CPUExecutionProvider"])
    inputs = package["graphs"]["chunk"]["inputs"]
    features = config["input_features"]
    rng = np.random.default_rng(0)

    def raw_request():
        request = {}
        for spec in inputs:
            shape = features[spec["name"]]["shape"]
            if features[spec["name"]]["type"] == "VISUAL":
                request[spec["name"]] = rng.integers(0, 256, (shape[1], shape[2], 3), dtype=np.uint8)
            else:
                request[spec["name"]] = rng.uniform(-1, 1, shape).astype(np.float32)
        return request

    def prepare(requests):
        feed = {}
        for spec in inputs:
            key = spec["name"]
            kind = features[key]["type"]
            if kind == "VISUAL":
                x = np.stack([(r[key].astype(np.float32) / np.float32(255)).transpose(2, 0, 1) for r in requests])
            else:
                x = np.stack([r[key] for r in requests])
            feed[key] = normalize(x, norm_map.get(kind, "IDENTITY"), stats_of(stats, key)).astype(np.float32)
        return feed

    def full(requests):
        chunk = session.run(["action"], prepare(requests))[0]
        return unnormalize(chunk, norm_map.get("ACTION", "IDENTITY"), stats_of(post_stats, "action"))

    batches = [int(b) for b in args.batches.split(",")]
    requests = [raw_request() for _ in range(max(batches))]

    f = timed(lambda i: full([requests[i % len(requests)]]), args.iterations, args.warmup)
    emit(impl="python_onnxruntime", what="full", iterations=args.iterations, onnxruntime=ort.__version__,
         threads=args.threads, **summary(f))
    prepared = prepare([requests[0]])
    o = timed(lambda i: session.run(["action"], prepared), args.iterations, args.warmup)
    emit(impl="python_onnxruntime", what="ort_only", iterations=args.iterations, **summary(o))
    rounds = max(3, args.iterations // 4)
    for n in batches:
        group = requests[:n]
        single = timed(lambda i: [full([r]) for r in group], rounds, 1)
        batched = timed(lambda i: full(group), rounds, 1)
        s, b = statistics.median(single), statistics.median(batched)
        emit(impl="python_onnxruntime", what="robots", robots=n, round_robin_ms=s, batch_ms=b,
             round_robin_chunks_per_s=n * 1000 / s, batch_chunks_per_s=n * 1000 / b)


if __name__ == "__main__":
    main()
