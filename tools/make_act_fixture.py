#!/usr/bin/env python3
"""Makes a randomly initialised LeRobot ACT checkpoint, exports it with tools/export_onnx.py, and records what
LeRobot + PyTorch give for fixed requests (the full pipeline: uint8 frames → prepare_observation_for_inference →
pre-processor → predict_action_chunk → post-processor).

    python tools/make_act_fixture.py --output <dir> --cameras 1 --chunk 10 [--height 48 --width 64]
        [--backbone tiny|resnet18] [--requests 3] [--seed 0]

--backbone tiny swaps ACT's ResNet-18 for a two-convolution stand-in with the same interface (layer4 feature map,
fc.in_features), so a committed fixture stays under 1 MB; every other part of ACT (input projections, 2D sine
position embeddings, transformer encoder/decoder, action head) is LeRobot's own code. --backbone resnet18 builds the
real network (random weights, about 45 MB), as the benchmark does.

Needs torch + lerobot (see tools/export_onnx.py). Writes <output>/ (the model package, without model.safetensors)
and <output>/requests/requests.json with raw little-endian float32 / uint8 files, the layout of
python/onnx_policy_fixtures.py.
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
from export_onnx import export_policy  # noqa: E402


class TinyBackbone(torch.nn.Module):
    """Stand-in for torchvision's ResNet in ACT: children up to `layer4`, and `fc.in_features`."""

    def __init__(self, replace_stride_with_dilation=None, weights=None, norm_layer=None):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), torch.nn.ReLU())
        self.layer4 = torch.nn.Sequential(torch.nn.Conv2d(8, 16, 3, stride=2, padding=1), torch.nn.ReLU())
        self.fc = torch.nn.Linear(16, 1)


def make_policy(cameras, chunk, height, width, backbone, seed):
    from lerobot.configs.types import FeatureType, NormalizationMode, PolicyFeature
    from lerobot.policies.act.configuration_act import ACTConfig
    from lerobot.policies.act.modeling_act import ACTPolicy

    torch.manual_seed(seed)
    names = ["front", "wrist", "side"][:cameras]
    inputs = {"observation.state": PolicyFeature(type=FeatureType.STATE, shape=(6,))}
    for name in names:
        inputs[f"observation.images.{name}"] = PolicyFeature(type=FeatureType.VISUAL, shape=(3, height, width))
    small = backbone == "tiny"
    config = ACTConfig(
        input_features=inputs,
        output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(6,))},
        chunk_size=chunk, n_action_steps=chunk, device="cpu", pretrained_backbone_weights=None,
        dim_model=32 if small else 512, n_heads=2 if small else 8, dim_feedforward=64 if small else 3200,
        n_encoder_layers=1 if small else 4, n_decoder_layers=1, latent_dim=8 if small else 32,
        normalization_mapping={"VISUAL": NormalizationMode.MEAN_STD, "STATE": NormalizationMode.MEAN_STD,
                               "ACTION": NormalizationMode.MEAN_STD},
    )
    original = torchvision.models.resnet18
    if small:
        torchvision.models.resnet18 = TinyBackbone
    try:
        policy = ACTPolicy(config)
    finally:
        torchvision.models.resnet18 = original
    return policy.eval()


def make_stats(policy, rng):
    stats = {}
    for key, feature in {**policy.config.input_features, **policy.config.output_features}.items():
        if feature.type.value == "VISUAL":
            stats[key] = {"mean": torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1),
                          "std": torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)}
        else:
            n = feature.shape[0]
            stats[key] = {"mean": torch.from_numpy(rng.uniform(-1, 1, n).astype(np.float32)),
                          "std": torch.from_numpy(rng.uniform(0.2, 2, n).astype(np.float32)),
                          "min": torch.from_numpy(rng.uniform(-3, -1, n).astype(np.float32)),
                          "max": torch.from_numpy(rng.uniform(1, 3, n).astype(np.float32))}
    return stats


def write(path, array):
    np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(path)


def record_requests(policy, pre, post, output, count, rng):
    from lerobot.policies.utils import prepare_observation_for_inference

    os.makedirs(os.path.join(output, "requests"), exist_ok=True)
    cameras = list(policy.config.image_features)
    entries = []
    for r in range(count):
        state = rng.uniform(-2, 2, 6).astype(np.float32)
        frames = {}
        for cam in cameras:
            _, h, w = policy.config.input_features[cam].shape
            frames[cam] = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        observation = {"observation.state": state.copy(), **{k: v.copy() for k, v in frames.items()}}
        batch = prepare_observation_for_inference(observation, torch.device("cpu"), task="", robot_type="")
        with torch.no_grad():
            chunk_model = policy.predict_action_chunk(pre(batch))
            chunk_robot = post(chunk_model)
        entry = {"state": f"requests/{r}.state.bin", "images": {}, "chunk_model": f"requests/{r}.model.bin",
                 "chunk_robot": f"requests/{r}.robot.bin"}
        write(os.path.join(output, entry["state"]), state)
        for cam, frame in frames.items():
            entry["images"][cam] = {"file": f"requests/{r}.{cam}.u8.bin", "height": frame.shape[0], "width": frame.shape[1]}
            write(os.path.join(output, entry["images"][cam]["file"]), frame)
        write(os.path.join(output, entry["chunk_model"]), chunk_model[0].numpy().astype(np.float32))
        write(os.path.join(output, entry["chunk_robot"]), chunk_robot[0].numpy().astype(np.float32))
        entries.append(entry)
    with open(os.path.join(output, "requests", "requests.json"), "w") as f:
        json.dump({"chunk": policy.config.chunk_size, "action_dim": 6, "reference": "pytorch", "requests": entries}, f, indent=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True)
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--height", type=int, default=48)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--backbone", choices=["tiny", "resnet18"], default="tiny")
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from lerobot.policies.act.processor_act import make_act_pre_post_processors

    rng = np.random.default_rng(args.seed)
    policy = make_policy(args.cameras, args.chunk, args.height, args.width, args.backbone, args.seed)
    pre, post = make_act_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
    with tempfile.TemporaryDirectory() as checkpoint:
        policy.save_pretrained(checkpoint)
        pre.save_pretrained(checkpoint)
        post.save_pretrained(checkpoint)
        export_policy(policy, checkpoint, args.output)
    if args.requests > 0:
        record_requests(policy, pre, post, args.output, args.requests, rng)


if __name__ == "__main__":
    main()
