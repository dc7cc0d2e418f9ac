#!/usr/bin/env python3
"""Times PyTorch eager on the tiny SmolVLA of tools/make_flow_fixture.py (or its `--size real` one), the tiny pi0 of
tools/make_pi0_fixture.py or the tiny pi0.5 of tools/make_pi05_fixture.py (same seeds, so the same weights as the
committed Tests/Fixtures/smolvla-tiny, pi0-tiny and pi05-tiny), with RTC on as the
server runs it: LeRobot's full path
(prepare_observation_for_inference, pre-processor with the tokenizer, predict_action_chunk with a 10-row prefix and a
delay, post-processor) and predict_action_chunk alone on a prepared batch; then N robots one by one vs one batch
(LeRobot's batched RTC takes one delay for every row). JSON lines in scripts/bench-onnx's format.

    python tools/bench_flow_torch.py [--policy smolvla|pi0|pi05] [--size tiny|real] [--iterations 30] [--threads 1] [--batches 1,2,4,8] [--no-rtc]
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
from make_flow_fixture import TASKS, make_stats, set_rtc  # noqa: E402


def build(kind, folder, rng, size="tiny"):
    """The tiny policy of the fixture tool for `kind`, with LeRobot's pre- and post-processor."""
    if kind == "smolvla":
        from lerobot.policies.smolvla.processor_smolvla import make_smolvla_pre_post_processors
        from make_flow_fixture import make_policy, make_vlm

        vlm = os.path.join(folder, "vlm")
        make_vlm(vlm, size)
        policy = make_policy(vlm, 0, size)
        pre, post = make_smolvla_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
        return policy, pre, post
    import make_pi05_fixture
    import make_pi0_fixture
    import pi0_transformers_patch

    pi0_transformers_patch.apply()
    fixture = make_pi05_fixture if kind == "pi05" else make_pi0_fixture
    return fixture.build(0, rng, os.path.join(folder, "tokenizer"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batches", default="1,2,4,8")
    parser.add_argument("--no-rtc", action="store_true")
    parser.add_argument("--policy", choices=["smolvla", "pi0", "pi05"], default="smolvla")
    parser.add_argument("--size", choices=["tiny", "real"], default="tiny",
                        help="smolvla only: real = `make_flow_fixture.py --size real` (two 480×640 cameras)")
    args = parser.parse_args()
    if args.size == "real" and args.policy != "smolvla":
        parser.error("--size real: only with --policy smolvla")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lerobot.policies.utils import prepare_observation_for_inference

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    horizon = 10
    with tempfile.TemporaryDirectory() as folder:
        policy, pre, post = build(args.policy, folder, rng, args.size)
    rtc = not args.no_rtc
    set_rtc(policy, "LINEAR" if rtc else None, horizon, 10.0)
    cameras = list(policy.config.image_features)
    task = TASKS[0]

    def raw():
        obs = {"observation.state": rng.uniform(-1, 1, 6).astype(np.float32)}
        for cam in cameras:
            _, height, width = policy.config.image_features[cam].shape
            obs[cam] = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        return obs

    def prefixes(n):
        return torch.from_numpy(rng.uniform(-1, 1, (n, horizon, 6)).astype(np.float32))

    def full_batch(observations, delay=3):
        batches = [pre(prepare_observation_for_inference({k: v.copy() for k, v in o.items()}, torch.device("cpu"), task, ""))
                   for o in observations]
        batch = {k: torch.cat([b[k] for b in batches]) for k in batches[0] if isinstance(batches[0][k], torch.Tensor)}
        kwargs = {"inference_delay": delay, "prev_chunk_left_over": prefixes(len(observations))} if rtc else {}
        with torch.no_grad():
            return post(policy.predict_action_chunk(batch, **kwargs))

    batches = [int(b) for b in args.batches.split(",")]
    observations = [raw() for _ in range(max(batches))]
    f = timed(lambda i: full_batch([observations[i % len(observations)]]), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="full", iterations=args.iterations, torch=torch.__version__, threads=args.threads,
         rtc=rtc, **summary(f))
    prepared = pre(prepare_observation_for_inference({k: v.copy() for k, v in observations[0].items()}, torch.device("cpu"), task, ""))
    kwargs = {"inference_delay": 3, "prev_chunk_left_over": prefixes(1)} if rtc else {}
    with torch.no_grad():
        o = timed(lambda i: policy.predict_action_chunk(dict(prepared), **kwargs), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="ort_only", iterations=args.iterations, **summary(o))
    rounds = max(3, args.iterations // 4)
    for n in batches:
        group = observations[:n]
        single = timed(lambda i: [full_batch([o], delay=1 + k % 4) for k, o in enumerate(group)], rounds, 1)
        batched = timed(lambda i: full_batch(group), rounds, 1)
        s, b = statistics.median(single), statistics.median(batched)
        emit(impl="pytorch_eager", what="robots", robots=n, round_robin_ms=s, batch_ms=b,
             round_robin_chunks_per_s=n * 1000 / s, batch_chunks_per_s=n * 1000 / b)


if __name__ == "__main__":
    main()
