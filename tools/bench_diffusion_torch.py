#!/usr/bin/env python3
"""Times PyTorch eager on the tiny Diffusion Policy of tools/make_diffusion_fixture.py (same seed and functions, so the
same weights as the committed Tests/Fixtures/diffusion-tiny (DDPM) or diffusion-tiny-ddim (DDIM)), one chunk per
request as the Swift server serves it: LeRobot's full path (prepare_observation_for_inference, pre-processor, cameras
stacked, populate_queues, predict_action_chunk with every inference step, post-processor); network only
(generate_actions on the stacked history: encoder + the scheduler loop); the encoder and one U-Net call alone; then N
robots, each with its own observation queues, one by one vs one batch. The queues are reset once per episode (here:
once per robot group), so after the first request each one pushes the oldest observation out, as in the Swift session.
JSON lines in scripts/bench-onnx's format.

    python tools/bench_diffusion_torch.py [--scheduler DDPM|DDIM] [--iterations 30] [--threads 1] [--batches 1,2,4,8]
Needs torch + lerobot + diffusers (see tools/export_onnx.py).
"""
import argparse
import os
import statistics
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from bench_timing import emit, summary, timed  # noqa: E402
from make_diffusion_fixture import make_policy, make_stats, stack_and_queue  # noqa: E402

# The beta schedule each committed fixture was made with (Tests/Fixtures/README.md).
BETA_SCHEDULES = {"DDPM": "squaredcos_cap_v2", "DDIM": "linear"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scheduler", choices=sorted(BETA_SCHEDULES), default="DDPM")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batches", default="1,2,4,8")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lerobot.policies.diffusion.processor_diffusion import make_diffusion_pre_post_processors
    from lerobot.policies.utils import prepare_observation_for_inference

    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)  # the fixture tool draws the dataset stats from it first
    policy = make_policy(args.scheduler, BETA_SCHEDULES[args.scheduler], args.seed)
    pre, post = make_diffusion_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
    config = policy.config
    cameras = list(config.image_features)
    steps = policy.diffusion.num_inference_steps

    def raw():
        obs = {"observation.state": rng.uniform(-1, 1, 6).astype(np.float32)}
        for cam in cameras:
            _, h, w = config.input_features[cam].shape
            obs[cam] = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        return obs

    def full_batch(observations):
        """One chunk per observation in one call on the policy's current queues (a batch when several)."""
        processed = [pre(prepare_observation_for_inference({k: v.copy() for k, v in o.items()}, torch.device("cpu"), "", ""))
                     for o in observations]
        batch = {k: torch.cat([p[k] for p in processed]) for k in ["observation.state"] + cameras}
        batch = stack_and_queue(policy, batch)
        with torch.no_grad():
            return post(policy.predict_action_chunk(batch))

    batches = [int(b) for b in args.batches.split(",")]
    observations = [raw() for _ in range(max(batches + [8]))]

    # 1. One robot, one episode: every request adds an observation to the history and gives one chunk.
    policy.reset()
    f = timed(lambda i: full_batch([observations[i % len(observations)]]), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="full", iterations=args.iterations, torch=torch.__version__, threads=args.threads,
         scheduler=args.scheduler, steps=steps, **summary(f))

    # 2. The network on a prepared history (the queues as predict_action_chunk stacks them).
    history = {k: torch.stack(list(policy._queues[k]), dim=1) for k in ("observation.state", "observation.images")}
    with torch.no_grad():
        o = timed(lambda i: policy.diffusion.generate_actions(history), args.iterations, args.warmup)
        e = timed(lambda i: policy.diffusion._prepare_global_conditioning(history), args.iterations, args.warmup)
        condition = policy.diffusion._prepare_global_conditioning(history)
        sample = torch.randn(1, config.horizon, config.action_feature.shape[0])
        timestep = torch.full((1,), 10, dtype=torch.long)
        d = timed(lambda i: policy.diffusion.unet(sample, timestep, global_cond=condition), args.iterations, args.warmup)
    emit(impl="pytorch_eager", what="ort_only", **summary(o))
    emit(impl="pytorch_eager", what="encoder_only", **summary(e))
    emit(impl="pytorch_eager", what="denoiser_step_only", **summary(d))

    # 3. N robots ready at once, each with its own queues: N single calls (round-robin) vs one batched call.
    rounds = max(3, args.iterations // 4)
    for n in batches:
        group = observations[:n]
        robot_queues = []
        for _ in range(n):
            policy.reset()
            robot_queues.append(policy._queues)
        policy.reset()
        batch_queues = policy._queues

        def one_by_one(i):
            for queues, o in zip(robot_queues, group):
                policy._queues = queues
                full_batch([o])

        def batched(i):
            policy._queues = batch_queues
            full_batch(group)

        single = timed(one_by_one, rounds, 1)
        together = timed(batched, rounds, 1)
        s, b = statistics.median(single), statistics.median(together)
        emit(impl="pytorch_eager", what="robots", robots=n, round_robin_ms=s, batch_ms=b,
             round_robin_chunks_per_s=n * 1000 / s, batch_chunks_per_s=n * 1000 / b)


if __name__ == "__main__":
    main()
