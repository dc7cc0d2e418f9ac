#!/usr/bin/env python3
"""Builds a randomly initialised LeRobot ACT, exports it as a model package (tools/export_onnx.py), and times
PyTorch eager on it: the full LeRobot path (prepare_observation_for_inference, pre-processor,
predict_action_chunk, post-processor) and the network alone; N robots one by one vs one batch. JSON lines.

    python tools/bench_act_torch.py --output <dir> [--cameras 1] [--chunk 100] [--height 480 --width 640]
        [--backbone resnet18|tiny] [--iterations 30] [--threads 1] [--batches 1,2,4,8]
Needs torch + lerobot (see tools/export_onnx.py).
"""
import argparse
import os
import statistics
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from bench_timing import emit, summary, timed  # noqa: E402
from export_onnx import ChunkGraph, export_policy  # noqa: E402
from make_act_fixture import make_policy, make_stats  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", required=True)
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--backbone", choices=["tiny", "resnet18"], default="resnet18")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batches", default="1,2,4,8")
    args = parser.parse_args()
    from lerobot.policies.act.processor_act import make_act_pre_post_processors
    from lerobot.policies.utils import prepare_observation_for_inference

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    policy = make_policy(args.cameras, args.chunk, args.height, args.width, args.backbone, 0)
    pre, post = make_act_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
    with tempfile.TemporaryDirectory() as checkpoint:
        policy.save_pretrained(checkpoint)
        pre.save_pretrained(checkpoint)
        post.save_pretrained(checkpoint)
        export_policy(policy, checkpoint, args.output, samples=1, log=lambda m: print(m, file=sys.stderr))

    cameras = list(policy.config.image_features)

    def raw():
        obs = {"observation.state": rng.uniform(-1, 1, 6).astype(np.float32)}
        for cam in cameras:
            obs[cam] = rng.integers(0, 256, (args.height, args.width, 3), dtype=np.uint8)
        return obs

    def full_batch(observations):
        batches = [prepare_observation_for_inference({k: v.copy() for k, v in o.items()}, torch.device("cpu"), "", "")
                   for o in observations]
        batch = {k: torch.cat([b[k] for b in batches]) for k in batches[0] if isinstance(batches[0][k], torch.Tensor)}
        with torch.no_grad():
            return post(policy.predict_action_chunk(pre(batch)))

    batches = [int(b) for b in args.batches.split(",")]
    observations = [raw() for _ in range(max(batches))]
    f = timed(lambda i: full_batch([observations[i % len(observations)]]), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="full", iterations=args.iterations, torch=torch.__version__, threads=args.threads,
         **summary(f))
    wrapper, names = ChunkGraph.build(policy)
    prepared = tuple(torch.randn([1] + list(policy.config.input_features[n].shape)) for n in names)
    with torch.no_grad():
        o = timed(lambda i: wrapper(*prepared), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="ort_only", iterations=args.iterations, **summary(o))
    rounds = max(3, args.iterations // 4)
    for n in batches:
        group = observations[:n]
        single = timed(lambda i: [full_batch([o]) for o in group], rounds, 1)
        batched = timed(lambda i: full_batch(group), rounds, 1)
        s, b = statistics.median(single), statistics.median(batched)
        emit(impl="pytorch_eager", what="robots", robots=n, round_robin_ms=s, batch_ms=b,
             round_robin_chunks_per_s=n * 1000 / s, batch_chunks_per_s=n * 1000 / b)


if __name__ == "__main__":
    main()
