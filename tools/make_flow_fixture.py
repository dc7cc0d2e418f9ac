#!/usr/bin/env python3
"""Makes a tiny randomly initialised LeRobot SmolVLA checkpoint offline, exports it with tools/export_onnx.py (prefix
and velocity graphs), and records what LeRobot + PyTorch give for fixed requests, fixed noise, RTC off and on.

    python tools/make_flow_fixture.py --output <dir> [--requests 3] [--seed 0] [--size tiny|real]

SmolVLA builds its backbone from `vlm_model_name` (a Hub id: config, tokenizer and processor files; the weights only
with load_vlm_weights). Nothing is downloaded here: a tiny SmolVLM is described locally in <output>/vlm/ (config.json
with a 4-layer Llama text model and a 2-layer SigLIP vision model, a word-level tokenizer.json with SmolVLM's special
tokens, processor files), and the checkpoint's vlm_model_name points at it. Everything else is LeRobot's own SmolVLA
(vision encoder, connector, VLM layers, action expert with cross-attention, flow-matching head, processors) with
random weights. In the written package, vlm_model_name and the tokenizer step's tokenizer_name read "vlm" (LeRobot
resolves that relative to its working directory).

Needs torch + lerobot[smolvla] (see tools/export_onnx.py). Writes <output>/ (the model package, without
model.safetensors), <output>/vlm/ and <output>/requests/requests.json with raw little-endian files:
  per request: the raw state (float32 [S]) and uint8 HWC frames; what LeRobot's pre-processor made of them: the
  normalized state (float32 [S]) and the task's tokens (int64 [L], right-padded with the pad id to the graph's L,
  bool mask as uint8 [L]; token_count real tokens); the noise (float32 [chunk_size, max_action_dim]); chunk_model and
  chunk_robot from predict_action_chunk with RTC off;
  rtc: per case a request, schedule, delay, execution horizon, guidance clip, the prefix (float32 [H, A], model space,
  rows past valid_rows zero) and chunk_model with RTC on (one PyTorch call per case);
  batch: one PyTorch call over every request (tokens padded to the longest, as LeRobot's tokenizer does), RTC off and
  RTC on with one delay and each request's own prefix.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_onnx import export_policy  # noqa: E402

SPECIAL = ["<unk>", "<pad>", "<|im_start|>", "<end_of_utterance>", "<fake_token_around_image>", "<image>", "<global-img>"]
WORDS = ["pick", "up", "the", "red", "blue", "cube", "place", "it", "in", "box", "grasp", "a", "and", "put", "on", "table"]
TASKS = ["pick up the red cube", "place it in the box", "grasp the blue cube and put it on the table"]


# SmolVLM2-500M's shapes (SmolLM2-360M text model, SigLIP base-patch16-512 vision model, pixel shuffle 4), which
# lerobot/smolvla_base builds on; with `--size real` the policy is LeRobot's SmolVLA at its defaults around them.
REAL_TEXT = {"hidden_size": 960, "intermediate_size": 2560, "num_hidden_layers": 32, "num_attention_heads": 15,
             "num_key_value_heads": 5, "head_dim": 64, "max_position_embeddings": 8192, "rope_theta": 100000.0}
REAL_VISION = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
               "image_size": 512, "patch_size": 16}
REAL_VOCAB = 49280


def make_vlm(directory, size="tiny"):
    """A SmolVLM described on disk: config, tokenizer and processor files (no weights). `size` "tiny" is the
    fixture's; "real" has SmolVLM2-500M's shapes and vocabulary size (the tokenizer stays the word-level one)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        PreTrainedTokenizerFast, SmolVLMConfig, SmolVLMImageProcessor, SmolVLMProcessor, SmolVLMVideoProcessor)

    os.makedirs(directory, exist_ok=True)
    vocab = {token: i for i, token in enumerate(SPECIAL + WORDS)}
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, unk_token="<unk>", pad_token="<pad>", bos_token="<|im_start|>",
        eos_token="<end_of_utterance>",
        extra_special_tokens={"fake_image_token": "<fake_token_around_image>", "image_token": "<image>",
                              "end_of_utterance_token": "<end_of_utterance>", "global_image_token": "<global-img>"})
    if size == "real":
        text, vision, scale, vocab_size, edge, seq = REAL_TEXT, REAL_VISION, 4, REAL_VOCAB, 512, 64
    else:
        text = {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 4, "num_attention_heads": 4,
                "num_key_value_heads": 2, "head_dim": 16, "max_position_embeddings": 512}
        vision = {"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2,
                  "image_size": 64, "patch_size": 16}
        scale, vocab_size, edge, seq = 2, len(vocab), 64, 4
    config = SmolVLMConfig(
        text_config={"model_type": "llama", "vocab_size": vocab_size, **text, "rms_norm_eps": 1e-5,
                     "tie_word_embeddings": False},
        vision_config=vision, scale_factor=scale, image_token_id=vocab["<image>"], vocab_size=vocab_size)
    config.save_pretrained(directory)
    image_processor = SmolVLMImageProcessor(size={"longest_edge": edge}, max_image_size={"longest_edge": edge},
                                            do_image_splitting=False)
    SmolVLMProcessor(image_processor=image_processor, tokenizer=fast, video_processor=SmolVLMVideoProcessor(),
                     image_seq_len=seq).save_pretrained(directory)


def make_policy(vlm, seed, size="tiny"):
    from lerobot.configs.types import FeatureType, NormalizationMode, PolicyFeature
    from lerobot.policies.smolvla.configuration_smolvla import SmolVLAConfig
    from lerobot.policies.smolvla.modeling_smolvla import SmolVLAPolicy

    torch.manual_seed(seed)
    inputs = {"observation.state": PolicyFeature(type=FeatureType.STATE, shape=(6,))}
    for name in ("front", "wrist"):
        shape = (3, 480, 640) if size == "real" else (3, 48, 64)
        inputs[f"observation.images.{name}"] = PolicyFeature(type=FeatureType.VISUAL, shape=shape)
    if size == "real":  # LeRobot's defaults: 16 VLM layers, 512×512 padded images, 48 tokens, chunk 50
        sizes = {}
    else:
        sizes = {"num_vlm_layers": 4, "resize_imgs_with_padding": (64, 64), "tokenizer_max_length": 16}
    config = SmolVLAConfig(
        input_features=inputs, output_features={"action": PolicyFeature(type=FeatureType.ACTION, shape=(6,))},
        vlm_model_name=vlm, load_vlm_weights=False, device="cpu", **sizes,
        normalization_mapping={"VISUAL": NormalizationMode.IDENTITY, "STATE": NormalizationMode.MEAN_STD,
                               "ACTION": NormalizationMode.MEAN_STD})
    return SmolVLAPolicy(config).eval()


def make_stats(policy, rng):
    stats = {}
    for key, feature in {**policy.config.input_features, **policy.config.output_features}.items():
        if feature.type.value != "VISUAL":
            n = feature.shape[0]
            stats[key] = {"mean": torch.from_numpy(rng.uniform(-1, 1, n).astype(np.float32)),
                          "std": torch.from_numpy(rng.uniform(0.2, 2, n).astype(np.float32))}
    return stats


def write(path, array):
    np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(path)


def set_rtc(policy, schedule=None, delay_horizon=10, max_weight=10.0):
    from lerobot.configs.types import RTCAttentionSchedule
    from lerobot.policies.rtc.configuration_rtc import RTCConfig

    policy.config.rtc_config = None if schedule is None else RTCConfig(
        enabled=True, prefix_attention_schedule=RTCAttentionSchedule(schedule), max_guidance_weight=max_weight,
        execution_horizon=delay_horizon)
    policy.init_rtc_processor()


def predict(policy, batch, noise, **rtc):
    with torch.no_grad():
        return policy.predict_action_chunk(dict(batch), noise=noise.clone(), **rtc)


def tokenizer_step(pre):
    """The pre-processor's TokenizerProcessorStep (step 3 for SmolVLA and pi0, 4 for pi0.5)."""
    from lerobot.processor import TokenizerProcessorStep

    return next(step for step in pre.steps if isinstance(step, TokenizerProcessorStep))


def record(policy, pre, post, output, count, rng, generator):
    from lerobot.policies.utils import prepare_observation_for_inference

    config = policy.config
    tokens_len = config.tokenizer_max_length
    folder = os.path.join(output, "requests")
    os.makedirs(folder, exist_ok=True)
    cameras = list(config.image_features)
    entries, batches = [], []
    for r in range(count):
        state = rng.uniform(-2, 2, 6).astype(np.float32)
        frames = {cam: rng.integers(0, 256, (48, 64, 3), dtype=np.uint8) for cam in cameras}
        observation = {"observation.state": state.copy(), **{k: v.copy() for k, v in frames.items()}}
        task = TASKS[r % len(TASKS)]
        batch = pre(prepare_observation_for_inference(observation, torch.device("cpu"), task=task, robot_type=""))
        noise = torch.randn(1, config.chunk_size, config.max_action_dim, generator=generator)
        chunk_model = predict(policy, batch, noise)
        chunk_robot = post(chunk_model)
        tokens = batch["observation.language.tokens"][0]
        mask = batch["observation.language.attention_mask"][0]
        n = int(mask.sum())
        # SmolVLA pads to the longest (none for one request), pi0 to max_length: real tokens first either way.
        assert bool(mask[:n].all()) and not bool(mask[n:].any()), "right padding expected"
        pad_id = tokenizer_step(pre).input_tokenizer.pad_token_id
        padded = np.full(tokens_len, pad_id, dtype=np.int64)
        padded[:n] = tokens[:n].numpy()
        padded_mask = np.zeros(tokens_len, dtype=np.uint8)
        padded_mask[:n] = 1
        entry = {"task": task, "state": f"requests/{r}.state.bin", "state_normalized": f"requests/{r}.state_norm.bin",
                 "images": {}, "tokens": f"requests/{r}.tokens.i64.bin", "attention_mask": f"requests/{r}.mask.u8.bin",
                 "token_count": n, "noise": f"requests/{r}.noise.bin", "chunk_model": f"requests/{r}.model.bin",
                 "chunk_robot": f"requests/{r}.robot.bin"}
        write(os.path.join(output, entry["state"]), state)
        write(os.path.join(output, entry["state_normalized"]), batch["observation.state"][0].numpy())
        for cam, frame in frames.items():
            entry["images"][cam] = {"file": f"requests/{r}.{cam}.u8.bin", "height": 48, "width": 64}
            write(os.path.join(output, entry["images"][cam]["file"]), frame)
        write(os.path.join(output, entry["tokens"]), padded)
        write(os.path.join(output, entry["attention_mask"]), padded_mask)
        write(os.path.join(output, entry["noise"]), noise[0].numpy())
        write(os.path.join(output, entry["chunk_model"]), chunk_model[0].numpy())
        write(os.path.join(output, entry["chunk_robot"]), chunk_robot[0].numpy())
        entries.append(entry)
        batches.append((batch, noise, chunk_model[0].numpy()))

    # RTC on: the prefix is a previous chunk's model-space rows 5..15 (what the queue would have left over), cut to
    # `valid` rows and zero-padded to H, as the server sends it.
    horizon = 10
    cases = [(0, "LINEAR", 3, 10, 10.0), (1, "EXP", 0, 10, 10.0), (2, "ZEROS", 4, 10, 10.0), (0, "ONES", 2, 6, 10.0),
             (1, "LINEAR", 12, 10, 10.0), (2, "LINEAR", 5, 0, 10.0), (2, "EXP", 1, 7, 2.5)]
    rtc_entries = []
    for k, (r, schedule, delay, valid, max_weight) in enumerate(cases):
        batch, noise, _ = batches[r]
        previous = batches[(r + count - 1) % count][2]
        prefix = np.zeros((horizon, 6), dtype=np.float32)
        prefix[:valid] = previous[5:5 + valid]
        set_rtc(policy, schedule, horizon, max_weight)
        chunk = predict(policy, batch, noise, inference_delay=delay, prev_chunk_left_over=torch.from_numpy(prefix)[None])
        set_rtc(policy, None)
        entry = {"request": r, "schedule": schedule, "delay": delay, "execution_horizon": horizon, "valid_rows": valid,
                 "max_guidance_weight": max_weight, "prefix": f"requests/rtc{k}.prefix.bin",
                 "chunk_model": f"requests/rtc{k}.model.bin"}
        write(os.path.join(output, entry["prefix"]), prefix)
        write(os.path.join(output, entry["chunk_model"]), chunk[0].numpy())
        rtc_entries.append(entry)

    # One batched call over every request: tokens right-padded to the longest (LeRobot's "longest" padding).
    longest = max(b["observation.language.tokens"].shape[1] for b, _, _ in batches)
    stacked = {}
    for key in batches[0][0]:
        values = [b[key] for b, _, _ in batches]
        if not isinstance(values[0], torch.Tensor):
            continue
        if key.startswith("observation.language."):
            fill = tokenizer_step(pre).input_tokenizer.pad_token_id if key.endswith("tokens") else False
            values = [torch.cat([v, torch.full((1, longest - v.shape[1]), fill, dtype=v.dtype)], dim=1) for v in values]
        stacked[key] = torch.cat(values, dim=0)
    noise = torch.cat([n for _, n, _ in batches], dim=0)
    plain = predict(policy, stacked, noise)
    delay = 3
    prefixes = np.zeros((count, horizon, 6), dtype=np.float32)
    for r in range(count):
        prefixes[r] = batches[(r + count - 1) % count][2][5:5 + horizon]
    set_rtc(policy, "LINEAR", horizon, 10.0)
    guided = predict(policy, stacked, noise, inference_delay=delay, prev_chunk_left_over=torch.from_numpy(prefixes))
    set_rtc(policy, None)
    batch_entry = {"requests": list(range(count)), "chunk_model": "requests/batch.model.bin",
                   "rtc": {"schedule": "LINEAR", "delay": delay, "execution_horizon": horizon, "max_guidance_weight": 10.0,
                           "prefixes": "requests/batch.prefixes.bin", "chunk_model": "requests/batch.rtc.model.bin"}}
    write(os.path.join(output, batch_entry["chunk_model"]), plain.numpy())
    write(os.path.join(output, batch_entry["rtc"]["prefixes"]), prefixes)
    write(os.path.join(output, batch_entry["rtc"]["chunk_model"]), guided.numpy())

    with open(os.path.join(folder, "requests.json"), "w") as f:
        json.dump({"chunk": config.chunk_size, "action_dim": 6, "max_action_dim": config.max_action_dim,
                   "num_steps": getattr(config, "num_steps", None) or config.num_inference_steps, "language_tokens": tokens_len, "reference": "pytorch",
                   "requests": entries, "rtc": rtc_entries, "batch": batch_entry}, f, indent=1)


def relocate_vlm(output):
    """The package names its tokenizer and backbone "vlm" (the folder next to it), not the build's temporary path."""
    for name in ("config.json", "policy_preprocessor.json"):
        path = os.path.join(output, name)
        with open(path) as f:
            data = json.load(f)
        if name == "config.json":
            data["vlm_model_name"] = "vlm"
        else:
            for step in data["steps"]:
                if "tokenizer_name" in step.get("config", {}):
                    step["config"]["tokenizer_name"] = "vlm"
        with open(path, "w") as f:
            json.dump(data, f, indent=4)


def write_package(policy, pre, post, output, requests, rng, generator):
    """Saves the checkpoint (policy + processors) to a temporary folder, exports it to `output` and records
    `requests` PyTorch references (the fixture tools of every flow-matching family)."""
    with tempfile.TemporaryDirectory() as checkpoint:
        policy.save_pretrained(checkpoint)
        pre.save_pretrained(checkpoint)
        post.save_pretrained(checkpoint)
        export_policy(policy, checkpoint, output)
    if requests > 0:
        record(policy, pre, post, output, requests, rng, generator)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True)
    parser.add_argument("--requests", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", choices=["tiny", "real"], default="tiny",
                        help="real: SmolVLM2-500M's shapes and LeRobot's SmolVLA defaults (random weights, ~1.8 GB of "
                             "graphs; for benchmarks, use with --requests 0)")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from lerobot.policies.smolvla.processor_smolvla import make_smolvla_pre_post_processors

    rng = np.random.default_rng(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    vlm = os.path.abspath(os.path.join(args.output, "vlm"))
    make_vlm(vlm, args.size)
    policy = make_policy(vlm, args.seed, args.size)
    pre, post = make_smolvla_pre_post_processors(policy.config, dataset_stats=make_stats(policy, rng))
    write_package(policy, pre, post, args.output, args.requests, rng, generator)
    relocate_vlm(args.output)


if __name__ == "__main__":
    main()
