#!/usr/bin/env python3
"""Makes a tiny randomly initialised LeRobot pi0.5 (`pi05`) checkpoint offline, exports it with tools/export_onnx.py
(prefix and velocity graphs) and records what LeRobot + PyTorch give for fixed requests and fixed noise, RTC off and
on: the pi0.5 counterpart of tools/make_pi0_fixture.py (same requests/requests.json layout, same record()).

    python tools/make_pi05_fixture.py --output <dir> [--requests 3] [--seed 0]

LeRobot 0.4.4's pi0.5 is written against openpi's patched transformers, adaRMS included (the action expert's norms
are conditioned on the flow-matching time); with stock transformers (tried 4.57.6) the policy is built after
tools/pi0_transformers_patch.apply() (see that file and docs/pi0-export.md).

As for pi0, only sizes are swapped while the policy is built (modeling_pi05's get_gemma_config /
PaliGemmaForConditionalGeneration / GemmaForCausalLM): PaliGemma's Gemma of width 64, the action expert of width 32
(2 layers, MLP 128 / 64, 8 heads, 1 KV head, head_dim 16; the expert's norms are adaptive: dense 32 -> 96), a
2-layer SigLIP of width 32 with patch 8 (32x32 images), vocabulary 1024. Weights are drawn at std 1/sqrt(fan_in),
RMSNorm weights uniform in ±0.3; the adaRMS dense layers at that std too (zero-initialised in LeRobot, which would
hide them).

pi0.5's pre-processor normalizes the state (QUANTILES here, as pi0.5's default: q01/q99 drawn so that some
normalized values fall outside [-1, 1]), then `pi05_prepare_state_tokenizer_processor_step` pads it to
max_state_dim (32), discretizes it into 256 bins and writes "Task: <task>, State: <bins>;\\nAction: ", which the
tokenizer step turns into tokens (tokenizer_max_length 72 here; LeRobot pads to it). The model itself has no state
input. The tokenizer is the local PaliGemma-style BPE of the pi0 fixture (Tests/Fixtures/tokenizers/paligemma-bpe.json).

Needs torch + lerobot + transformers + onnx + onnxruntime (see tools/export_onnx.py).
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pi0_transformers_patch  # noqa: E402
from make_flow_fixture import write_package  # noqa: E402
from make_pi0_fixture import local_tokenizer_processors, make_tokenizer, relocate_tokenizer, tiny_sizes  # noqa: E402

TOKENS = 72


def make_policy(seed):
    from lerobot.configs.types import FeatureType, NormalizationMode, PolicyFeature
    from lerobot.policies.pi05.configuration_pi05 import PI05Config
    from lerobot.policies.pi05.modeling_pi05 import PI05Policy

    torch.manual_seed(seed)
    inputs = {"observation.state": PolicyFeature(type=FeatureType.STATE, shape=(6,))}
    for name in ("front", "wrist"):
        inputs[f"observation.images.{name}"] = PolicyFeature(type=FeatureType.VISUAL, shape=(3, 48, 64))
    config = PI05Config(
        input_features=inputs, output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(6,))},
        image_resolution=(32, 32), tokenizer_max_length=TOKENS, device="cpu",
        normalization_mapping={"VISUAL": NormalizationMode.IDENTITY, "STATE": NormalizationMode.QUANTILES,
                               "ACTION": NormalizationMode.QUANTILES})
    from lerobot.policies.pi05 import modeling_pi05

    with tiny_sizes(modeling_pi05):
        policy = PI05Policy(config).eval()
    expert = policy.model.paligemma_with_expert.gemma_expert.model
    assert expert.norm.dense is not None and not hasattr(expert.norm, "weight"), "the expert's norms must be adaptive"
    with torch.no_grad():
        for name, parameter in policy.named_parameters():
            if parameter.dim() >= 2:
                parameter.normal_(0.0, parameter[0].numel() ** -0.5)
            elif "norm" in name and "dense" not in name:
                parameter.uniform_(-0.3, 0.3)
            else:
                parameter.normal_(0.0, 0.1)
    return policy


def make_stats(policy, rng):
    """QUANTILES statistics (q01 / q99; mean and std too, which QUANTILES does not read)."""
    stats = {}
    for key, feature in {**policy.config.input_features, **policy.config.output_features}.items():
        if feature.type.value != "VISUAL":
            n = feature.shape[0]
            low = rng.uniform(-2.5, -0.5, n).astype(np.float32)
            high = rng.uniform(0.5, 2.5, n).astype(np.float32)
            stats[key] = {"q01": torch.from_numpy(low), "q99": torch.from_numpy(high),
                          "mean": torch.from_numpy((low + high) / 2), "std": torch.from_numpy((high - low) / 4)}
    return stats


def build(seed, rng, tokenizer):
    """The tiny pi0.5 and LeRobot's processors, its tokenizer written to `tokenizer` (needs the transformers patch)."""
    from lerobot.policies.pi05 import processor_pi05

    make_tokenizer(tokenizer)
    policy = make_policy(seed)
    pre, post = local_tokenizer_processors(
        processor_pi05, processor_pi05.make_pi05_pre_post_processors, policy, make_stats(policy, rng), tokenizer)
    assert isinstance(pre.steps[3], processor_pi05.Pi05PrepareStateTokenizerProcessorStep)
    assert isinstance(pre.steps[4], processor_pi05.TokenizerProcessorStep)
    return policy, pre, post


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True)
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    pi0_transformers_patch.apply()
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    policy, pre, post = build(args.seed, rng, os.path.abspath(os.path.join(args.output, "tokenizer")))
    write_package(policy, pre, post, args.output, args.requests, rng, generator)
    relocate_tokenizer(args.output)


if __name__ == "__main__":
    main()
