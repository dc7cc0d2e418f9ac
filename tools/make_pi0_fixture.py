#!/usr/bin/env python3
"""Makes a tiny randomly initialised LeRobot pi0 checkpoint offline, exports it with tools/export_onnx.py (prefix and
velocity graphs) and records what LeRobot + PyTorch give for fixed requests and fixed noise, RTC off and on: the
pi0 counterpart of tools/make_flow_fixture.py (same requests/requests.json layout, same record()).

    python tools/make_pi0_fixture.py --output <dir> [--requests 3] [--seed 0]

LeRobot 0.4.4's pi0 is written against openpi's patched transformers; with stock transformers (tried 4.57.6) the
policy is built after tools/pi0_transformers_patch.apply() (see that file and docs/pi0-export.md).

pi0 has no small variant: PI0Config only accepts paligemma_variant / action_expert_variant "gemma_2b" / "gemma_300m"
(`get_gemma_config` in modeling_pi0), and PaliGemmaWithExpertModel builds a full-size SigLIP (So400m defaults plus
intermediate_size 4304 and projection_dim 2048 written in) with a 257152-token vocabulary. While the policy is built,
only sizes are swapped (everything else is LeRobot's pi0 with stock-plus-patch transformers):
  get_gemma_config       gemma_2b -> PaliGemma's Gemma: width 64, 2 layers, MLP 128, 8 heads (compute_layer_complete
                         assumes 8), 1 KV head, head_dim 16; gemma_300m -> the action expert: width 32, same depth and
                         heads (the experts share attention)
  PaliGemma config       SigLIP width 32, 2 layers, 2 heads, MLP 64, patch 8 (image_resolution 32 -> 16 patches per
                         camera); projection_dim = the Gemma width; text vocabulary 1024
  action expert config   vocabulary 1024 (its embed_tokens is dropped by LeRobot, its lm_head is unused)
Weights are then drawn at a scale where every block matters (std 1/sqrt(fan_in); RMSNorm weights uniform in ±0.3, so
that a norm without its weight would show). config.json still names the variants gemma_2b / gemma_300m: the package
is for the ONNX runtime (no model.safetensors), and its config.json is only read for shapes and processors.

Tokens: the pre-processor's TokenizerProcessorStep loads <output>/tokenizer/, a PaliGemma-style byte-fallback BPE
(Tests/Fixtures/tokenizers/paligemma-bpe.json, <bos> prepended, 968 ids) instead of google/paligemma-3b-pt-224;
LeRobot pads to tokenizer_max_length (16 here) and appends "\\n" to the task (Pi0NewLineProcessor). In the written
package the tokenizer step's tokenizer_name reads "tokenizer".

Cameras are 48x64 uint8 frames; the prefix graph resizes them with padding to 32x32 as LeRobot does
(resize_with_pad_torch, bilinear), then maps [0, 1] to [-1, 1].

Needs torch + lerobot + transformers + onnx + onnxruntime (see tools/export_onnx.py).
"""
import argparse
import contextlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pi0_transformers_patch  # noqa: E402
from make_flow_fixture import make_stats, write_package  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKENIZER = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers", "paligemma-bpe.json")
VOCAB = 1024


def make_tokenizer(directory):
    from transformers import PreTrainedTokenizerFast

    os.makedirs(directory, exist_ok=True)
    fast = PreTrainedTokenizerFast(tokenizer_file=TOKENIZER, bos_token="<bos>", eos_token="<eos>", pad_token="<pad>",
                                   unk_token="<unk>")
    assert len(fast) <= VOCAB
    fast.save_pretrained(directory)


@contextlib.contextmanager
def tiny_sizes(m=None):
    """While pi0 is built (or pi0.5, with `m` its modeling module): tiny Gemma widths, a tiny SigLIP, a small
    vocabulary (sizes only)."""
    if m is None:
        from lerobot.policies.pi0 import modeling_pi0 as m

    tiny = {"gemma_2b": m.GemmaConfig(width=64, depth=2, mlp_dim=128, num_heads=8, num_kv_heads=1, head_dim=16),
            "gemma_300m": m.GemmaConfig(width=32, depth=2, mlp_dim=64, num_heads=8, num_kv_heads=1, head_dim=16)}
    originals = (m.get_gemma_config, m.PaliGemmaForConditionalGeneration, m.GemmaForCausalLM)
    paligemma, expert = originals[1], originals[2]

    def tiny_paligemma(config):
        vision = config.vision_config
        vision.hidden_size, vision.intermediate_size, vision.num_hidden_layers = 32, 64, 2
        vision.num_attention_heads, vision.patch_size = 2, 8
        vision.projection_dim = config.text_config.hidden_size
        config.text_config.vocab_size = VOCAB
        return paligemma(config=config)

    def tiny_expert(config):
        config.vocab_size = VOCAB
        return expert(config=config)

    m.get_gemma_config = lambda variant: tiny[variant]
    m.PaliGemmaForConditionalGeneration, m.GemmaForCausalLM = tiny_paligemma, tiny_expert
    try:
        yield
    finally:
        m.get_gemma_config, m.PaliGemmaForConditionalGeneration, m.GemmaForCausalLM = originals


def make_policy(seed):
    from lerobot.configs.types import FeatureType, NormalizationMode, PolicyFeature
    from lerobot.policies.pi0.configuration_pi0 import PI0Config
    from lerobot.policies.pi0.modeling_pi0 import PI0Policy

    torch.manual_seed(seed)
    inputs = {"observation.state": PolicyFeature(type=FeatureType.STATE, shape=(6,))}
    for name in ("front", "wrist"):
        inputs[f"observation.images.{name}"] = PolicyFeature(type=FeatureType.VISUAL, shape=(3, 48, 64))
    config = PI0Config(
        input_features=inputs, output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(6,))},
        image_resolution=(32, 32), tokenizer_max_length=16, device="cpu",
        normalization_mapping={"VISUAL": NormalizationMode.IDENTITY, "STATE": NormalizationMode.MEAN_STD,
                               "ACTION": NormalizationMode.MEAN_STD})
    with tiny_sizes():
        policy = PI0Policy(config).eval()
    with torch.no_grad():
        for name, parameter in policy.named_parameters():
            if parameter.dim() >= 2:
                parameter.normal_(0.0, parameter[0].numel() ** -0.5)
            elif "norm" in name:
                parameter.uniform_(-0.3, 0.3)
            else:
                parameter.normal_(0.0, 0.1)
    return policy


def relocate_tokenizer(output):
    path = os.path.join(output, "policy_preprocessor.json")
    with open(path) as f:
        data = json.load(f)
    for step in data["steps"]:
        if "tokenizer_name" in step.get("config", {}):
            step["config"]["tokenizer_name"] = "tokenizer"
    with open(path, "w") as f:
        json.dump(data, f, indent=4)


def local_tokenizer_processors(processor_module, make_processors, policy, stats, tokenizer):
    """LeRobot's own pipeline (`make_processors` of `processor_module`), with the tokenizer step reading the local
    tokenizer at `tokenizer` instead of the Hub's."""
    step = processor_module.TokenizerProcessorStep
    processor_module.TokenizerProcessorStep = lambda **kwargs: step(**{**kwargs, "tokenizer_name": tokenizer})
    try:
        return make_processors(policy.config, dataset_stats=stats)
    finally:
        processor_module.TokenizerProcessorStep = step


def build(seed, rng, tokenizer):
    """The tiny pi0 and LeRobot's processors, its tokenizer written to `tokenizer` (needs the transformers patch)."""
    from lerobot.policies.pi0 import processor_pi0

    make_tokenizer(tokenizer)
    policy = make_policy(seed)
    pre, post = local_tokenizer_processors(
        processor_pi0, processor_pi0.make_pi0_pre_post_processors, policy, make_stats(policy, rng), tokenizer)
    assert isinstance(pre.steps[3], processor_pi0.TokenizerProcessorStep)
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
