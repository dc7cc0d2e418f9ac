#!/usr/bin/env python3
"""Makes a tiny randomly initialised LeRobot Diffusion Policy offline, exports it with tools/export_onnx.py (encoder
and denoiser graphs), and records what LeRobot + PyTorch give for fixed requests with FIXED NOISE: the initial sample
and, for DDPM, every step's variance noise (diffusers' randn_tensor replays the recorded tensors while PyTorch runs).

    python tools/make_diffusion_fixture.py --output Tests/Fixtures/diffusion-tiny --scheduler DDPM [--seed 0]
    python tools/make_diffusion_fixture.py --output Tests/Fixtures/diffusion-tiny-ddim --scheduler DDIM \\
        --beta-schedule linear [--seed 0]
    python tools/make_diffusion_fixture.py --output Tests/Fixtures/diffusion-tiny-resize --variant resize
    python tools/make_diffusion_fixture.py --output Tests/Fixtures/diffusion-tiny-envstate --variant envstate
    python tools/make_diffusion_fixture.py --output Tests/Fixtures/diffusion-tiny-envstate-only --scheduler DDIM \\
        --variant envstate-only

The policy (same weights for the same --seed): one 3×32×32 camera, center-cropped to 24×24 (eval mode), 6-dim state
and action, n_obs_steps 2, horizon 16, n_action_steps 8, down_dims (16, 32), 8 spatial-softmax keypoints, 100 train
timesteps and 10 inference steps. ResNet-18 is swapped for a two-convolution stand-in with the same interface
(children()[:-2] is the feature extractor; its BatchNorm becomes GroupNorm as LeRobot does), so the package stays
small and nothing is downloaded (pretrained_backbone_weights None). Everything else (crop, spatial softmax, FiLM
U-Net, diffusers' scheduler, processors) is LeRobot's own code. --variant resize makes the camera 3×48×64 with
resize_shape (32, 40) and crop_ratio 0.8 (crop 25×32); --variant envstate adds a 4-dim observation.environment_state
(MEAN_STD), recorded per request as requests/<n>.env.bin; envstate-only has it and no camera.

Every request goes through LeRobot's path: uint8 frame → prepare_observation_for_inference → pre-processor → cameras
stacked into observation.images → populate_queues (the first observation of an episode fills the queue) →
predict_action_chunk(noise=initial) → post-processor.

Writes <output>/ (the model package, without model.safetensors) and <output>/requests/requests.json with raw
little-endian files:
  episodes: lists of consecutive requests, each with the raw state (float32 [S]), the uint8 HWC frame per camera,
    the initial noise (float32 [horizon, A]), the DDPM step noise (float32 [steps−1, horizon, A], absent for DDIM),
    chunk_model and chunk_robot (float32 [n_action_steps, A]); the policy is reset at each episode's start;
  batch: one PyTorch call over the first request of every single-request episode (fresh queues, noise stacked);
  scheduler: diffusers' own numbers for scheduler unit tests (see record_scheduler_reference).
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_onnx import export_policy, fixed_ddpm_noise  # noqa: E402
from make_act_fixture import make_stats, write  # noqa: E402


class TinyBackbone(torch.nn.Module):
    """Stand-in for torchvision's ResNet in Diffusion Policy: children()[:-2] is the feature extractor (stem,
    layer4), then two children LeRobot drops (avgpool, fc)."""

    def __init__(self, weights=None, **kwargs):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 16, 3, stride=2, padding=1), torch.nn.BatchNorm2d(16),
                                        torch.nn.ReLU())
        self.layer4 = torch.nn.Sequential(torch.nn.Conv2d(16, 16, 3, stride=2, padding=1), torch.nn.ReLU())
        self.avgpool = torch.nn.AdaptiveAvgPool2d(1)
        self.fc = torch.nn.Linear(16, 1)


def make_config(scheduler, beta_schedule, prediction="epsilon", clip_range=1.0, variant="camera"):
    """variant: "camera" (the default fixtures), "resize" (a 3×48×64 camera resized to 32×40, crop_ratio 0.8),
    "envstate" (a 4-dim observation.environment_state and the 3×32×32 camera) or "envstate-only" (no camera)."""
    from lerobot.configs.types import FeatureType, NormalizationMode, PolicyFeature
    from lerobot.policies.diffusion.configuration_diffusion import DiffusionConfig

    inputs = {"observation.state": PolicyFeature(type=FeatureType.STATE, shape=(6,))}
    if variant.startswith("envstate"):
        inputs["observation.environment_state"] = PolicyFeature(type=FeatureType.ENV, shape=(4,))
    image = {"camera": {"shape": (3, 32, 32), "crop_shape": (24, 24)},
             "resize": {"shape": (3, 48, 64), "crop_shape": None, "resize_shape": (32, 40), "crop_ratio": 0.8},
             "envstate": {"shape": (3, 32, 32), "crop_shape": (24, 24)},
             "envstate-only": {"crop_shape": (24, 24)}}[variant]
    if "shape" in image:
        inputs["observation.images.front"] = PolicyFeature(type=FeatureType.VISUAL, shape=image["shape"])
    extra = {key: image[key] for key in ("resize_shape", "crop_ratio") if key in image}
    mapping = {"VISUAL": NormalizationMode.MEAN_STD, "STATE": NormalizationMode.MIN_MAX,
               "ACTION": NormalizationMode.MIN_MAX}
    if variant.startswith("envstate"):
        mapping["ENV"] = NormalizationMode.MEAN_STD
    return DiffusionConfig(
        input_features=inputs,
        output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(6,))},
        n_obs_steps=2, horizon=16, n_action_steps=8, drop_n_last_frames=7, crop_shape=image["crop_shape"],
        crop_is_random=True, **extra,
        pretrained_backbone_weights=None, use_group_norm=True, spatial_softmax_num_keypoints=8, down_dims=(16, 32),
        kernel_size=5, n_groups=8, diffusion_step_embed_dim=32, noise_scheduler_type=scheduler,
        num_train_timesteps=100, num_inference_steps=10, beta_schedule=beta_schedule, clip_sample=True,
        clip_sample_range=clip_range, prediction_type=prediction, device="cpu",
        normalization_mapping=mapping,
    )


def make_policy(scheduler, beta_schedule, seed, prediction="epsilon", clip_range=1.0, output_scale=1.0,
                variant="camera"):
    from lerobot.policies.diffusion.modeling_diffusion import DiffusionPolicy

    torch.manual_seed(seed)
    original = torchvision.models.resnet18
    torchvision.models.resnet18 = TinyBackbone
    try:
        policy = DiffusionPolicy(make_config(scheduler, beta_schedule, prediction, clip_range, variant))
    finally:
        torchvision.models.resnet18 = original
    # --output-scale rescales the U-Net's last layer (1: LeRobot's initialisation). With 1 about a third of the
    # fixture's chunk values end clipped to ±clip_sample_range; larger factors clip nearly all of them.
    with torch.no_grad():
        for p in policy.diffusion.unet.final_conv.parameters():
            p.mul_(output_scale)
    return policy.eval()


def noise_for(policy, generator):
    config = policy.config
    shape = (1, config.horizon, config.action_feature.shape[0])
    initial = torch.randn(*shape, generator=generator)
    steps = config.num_inference_steps - 1 if config.noise_scheduler_type == "DDPM" else 0
    return initial, [torch.randn(*shape, generator=generator) for _ in range(steps)]


def raw_observation(state, env, frames):
    observation = {"observation.state": state.copy(), **{k: v.copy() for k, v in frames.items()}}
    if env is not None:
        observation["observation.environment_state"] = env.copy()
    return observation


def observe(policy, pre, state, env, frames):
    """LeRobot's path up to the queue: prepare_observation_for_inference, pre-processor, cameras stacked, queues."""
    from lerobot.policies.utils import prepare_observation_for_inference

    observation = raw_observation(state, env, frames)
    batch = pre(prepare_observation_for_inference(observation, torch.device("cpu"), task="", robot_type=""))
    return stack_and_queue(policy, batch)


def stack_and_queue(policy, batch):
    from lerobot.policies.utils import populate_queues

    # select_action's order: drop the action, stack the cameras, then fill the queues.
    batch = {key: value for key, value in batch.items() if key.startswith("observation.")}
    if policy.config.image_features:
        batch["observation.images"] = torch.stack([batch[key] for key in policy.config.image_features], dim=-4)
    policy._queues = populate_queues(policy._queues, batch)
    return batch


def predict(policy, batch, initial, step_noise):
    with torch.no_grad(), fixed_ddpm_noise(step_noise) as left:
        chunk = policy.predict_action_chunk(batch, noise=initial.clone())
    assert not left, "unused DDPM noise"
    return chunk


def record_requests(policy, pre, post, output, rng, generator):
    os.makedirs(os.path.join(output, "requests"), exist_ok=True)
    config = policy.config
    cameras = list(config.image_features)
    env_dim = config.env_state_feature.shape[0] if config.env_state_feature is not None else 0
    # Three single-request episodes, then one episode of three consecutive observations (the history case).
    episodes_spec = [1, 1, 1, 3]
    episodes = []
    singles = []
    r = 0
    for length in episodes_spec:
        policy.reset()
        entries = []
        for _ in range(length):
            state = rng.uniform(-2, 2, 6).astype(np.float32)
            env = rng.uniform(-2, 2, env_dim).astype(np.float32) if env_dim else None
            frames = {cam: rng.integers(0, 256, (config.input_features[cam].shape[1], config.input_features[cam].shape[2], 3),
                                        dtype=np.uint8) for cam in cameras}
            initial, step_noise = noise_for(policy, generator)
            batch = observe(policy, pre, state, env, frames)
            chunk_model = predict(policy, batch, initial, step_noise)
            chunk_robot = post(chunk_model)
            entry = {"state": f"requests/{r}.state.bin", "images": {}, "noise": f"requests/{r}.noise.bin",
                     "chunk_model": f"requests/{r}.model.bin", "chunk_robot": f"requests/{r}.robot.bin"}
            write(os.path.join(output, entry["state"]), state)
            if env is not None:
                entry["environment_state"] = f"requests/{r}.env.bin"
                write(os.path.join(output, entry["environment_state"]), env)
            for cam, frame in frames.items():
                entry["images"][cam] = {"file": f"requests/{r}.{cam}.u8.bin", "height": frame.shape[0],
                                        "width": frame.shape[1]}
                write(os.path.join(output, entry["images"][cam]["file"]), frame)
            write(os.path.join(output, entry["noise"]), initial[0].numpy())
            if step_noise:
                entry["step_noise"] = f"requests/{r}.step_noise.bin"
                write(os.path.join(output, entry["step_noise"]), torch.cat(step_noise).numpy())
            write(os.path.join(output, entry["chunk_model"]), chunk_model[0].numpy().astype(np.float32))
            write(os.path.join(output, entry["chunk_robot"]), chunk_robot[0].numpy().astype(np.float32))
            entries.append(entry)
            if length == 1:
                singles.append((state, frames, initial, step_noise, env))
            r += 1
        episodes.append(entries)

    # One batched call over the single-request episodes: fresh queues, each row's own observation and noise.
    from lerobot.policies.utils import prepare_observation_for_inference

    policy.reset()
    processed = []
    for state, frames, _, _, env in singles:
        observation = raw_observation(state, env, frames)
        processed.append(pre(prepare_observation_for_inference(observation, torch.device("cpu"), task="", robot_type="")))
    keys = ["observation.state"] + (["observation.environment_state"] if env_dim else []) + cameras
    batch = {key: torch.cat([p[key] for p in processed]) for key in keys}
    batch = stack_and_queue(policy, batch)
    initial = torch.cat([s[2] for s in singles])
    steps = len(singles[0][3])
    step_noise = [torch.cat([s[3][k] for s in singles]) for k in range(steps)]
    chunk_model = predict(policy, batch, initial, step_noise)
    chunk_robot = post(chunk_model)
    write(os.path.join(output, "requests", "batch.model.bin"), chunk_model.numpy().astype(np.float32))
    write(os.path.join(output, "requests", "batch.robot.bin"), chunk_robot.numpy().astype(np.float32))
    return {"episodes": episodes,
            "batch": {"episodes": list(range(len(singles))), "chunk_model": "requests/batch.model.bin",
                      "chunk_robot": "requests/batch.robot.bin"}}


def record_scheduler_reference(output, generator):
    """diffusers' DDPMScheduler / DDIMScheduler on random inputs, for the Swift scheduler's unit tests: for each
    case the betas and alphas_cumprod, the timesteps, and one step() per timestep on a random model output and sample
    (and, for DDPM, the variance noise diffusers was made to use). Cases: both schedulers × beta schedules (linear,
    scaled_linear, squaredcos_cap_v2, and sigmoid for DDPM) × prediction types (epsilon, sample) × clip_sample on/off, with
    100 train timesteps and 10 or 7 inference steps, clip range 1 or 0.5."""
    from diffusers import DDIMScheduler, DDPMScheduler

    cases = []
    k = 0
    for scheduler_type in ("DDPM", "DDIM"):
        for schedule in ("linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid"):
            if scheduler_type == "DDIM" and schedule == "sigmoid":
                continue  # diffusers' DDIMScheduler has no sigmoid schedule
            for prediction in ("epsilon", "sample"):
                for clip in (True, False):
                    steps = 10 if (k % 2 == 0) else 7
                    clip_range = 1.0 if (k % 3 != 2) else 0.5
                    cls = DDPMScheduler if scheduler_type == "DDPM" else DDIMScheduler
                    scheduler = cls(num_train_timesteps=100, beta_start=0.0001, beta_end=0.02, beta_schedule=schedule,
                                    clip_sample=clip, clip_sample_range=clip_range, prediction_type=prediction)
                    scheduler.set_timesteps(steps)
                    shape = (2, 4, 3)
                    model_outputs, samples, noises, prevs = [], [], [], []
                    for t in scheduler.timesteps:
                        model_output = torch.randn(*shape, generator=generator) * 1.5
                        sample = torch.randn(*shape, generator=generator) * 1.5
                        noise = torch.randn(*shape, generator=generator)
                        if scheduler_type == "DDPM":
                            with fixed_ddpm_noise([noise] if int(t) > 0 else []):
                                prev = scheduler.step(model_output, t, sample).prev_sample
                        else:
                            prev = scheduler.step(model_output, t, sample).prev_sample
                        model_outputs.append(model_output)
                        samples.append(sample)
                        noises.append(noise)
                        prevs.append(prev)
                    name = f"requests/scheduler.{k}"
                    for part, tensors in (("model_output", model_outputs), ("sample", samples), ("noise", noises),
                                          ("prev_sample", prevs)):
                        write(os.path.join(output, f"{name}.{part}.bin"), torch.stack(tensors).numpy().astype(np.float32))
                    write(os.path.join(output, f"{name}.betas.bin"), scheduler.betas.numpy().astype(np.float32))
                    write(os.path.join(output, f"{name}.alphas_cumprod.bin"),
                          scheduler.alphas_cumprod.numpy().astype(np.float32))
                    cases.append({"scheduler": scheduler_type, "beta_schedule": schedule, "prediction_type": prediction,
                                  "clip_sample": clip, "clip_sample_range": clip_range, "num_train_timesteps": 100,
                                  "num_inference_steps": steps, "beta_start": 0.0001, "beta_end": 0.02,
                                  "timesteps": [int(t) for t in scheduler.timesteps], "shape": list(shape),
                                  "files": name})
                    k += 1
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True)
    parser.add_argument("--scheduler", choices=["DDPM", "DDIM"], default="DDPM")
    parser.add_argument("--beta-schedule", default="squaredcos_cap_v2")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prediction-type", choices=["epsilon", "sample"], default="epsilon")
    parser.add_argument("--clip-sample-range", type=float, default=1.0)
    parser.add_argument("--output-scale", type=float, default=1.0, help="factor on the U-Net's last layer's weights")
    parser.add_argument("--variant", choices=["camera", "resize", "envstate", "envstate-only"], default="camera",
                        help="camera: 3×32×32 cropped to 24×24 (default); resize: 3×48×64 resized to 32×40 with "
                             "crop_ratio 0.8 (crop 25×32); envstate: plus a 4-dim observation.environment_state; "
                             "envstate-only: the environment state and no camera")
    parser.add_argument("--scheduler-reference", action="store_true",
                        help="also record diffusers' scheduler steps for the Swift scheduler's unit tests")
    args = parser.parse_args()
    from lerobot.policies.diffusion.processor_diffusion import make_diffusion_pre_post_processors

    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed + 1)
    policy = make_policy(args.scheduler, args.beta_schedule, args.seed, args.prediction_type, args.clip_sample_range,
                         args.output_scale, args.variant)
    pre, post = make_diffusion_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
    with tempfile.TemporaryDirectory() as checkpoint:
        policy.save_pretrained(checkpoint)
        pre.save_pretrained(checkpoint)
        post.save_pretrained(checkpoint)
        export_policy(policy, checkpoint, args.output, atol=1e-4)
    manifest = record_requests(policy, pre, post, args.output, rng, generator)
    manifest.update({"horizon": policy.config.horizon, "n_obs_steps": policy.config.n_obs_steps,
                     "n_action_steps": policy.config.n_action_steps, "action_dim": 6, "reference": "pytorch",
                     "scheduler": args.scheduler})
    if args.scheduler_reference:
        manifest["scheduler_cases"] = record_scheduler_reference(args.output, generator)
    with open(os.path.join(args.output, "requests", "requests.json"), "w") as f:
        json.dump(manifest, f, indent=1)


if __name__ == "__main__":
    main()
