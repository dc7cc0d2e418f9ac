#!/usr/bin/env python3
"""Exports a LeRobot policy checkpoint to a model package the Swift policy server runs on ONNX Runtime.

    python tools/export_onnx.py --policy.path <checkpoint dir or Hub repo id> --output <dir>
        [--opset 17] [--atol 1e-4] [--samples 3] [--keep-weights]

Needs `torch`, `lerobot`, `onnx` and `onnxruntime` (not the project's .venv: install them yourself, e.g.
`python3 -m venv .venv-export && .venv-export/bin/pip install lerobot onnx onnxruntime onnxscript`).
Tried with lerobot 0.4.4, torch 2.10.0 (CPU), onnx 1.23.2, onnxruntime 1.32.0, Python 3.11.

The package is the checkpoint directory (config.json, policy_preprocessor.json, policy_postprocessor.json and the
normalizer .safetensors; model.safetensors only with --keep-weights) plus onnx/:
  onnx/chunk.onnx   observation (after LeRobot's pre-processor) → action chunk in model space, batch axis dynamic
  onnx/model.json   {"format": "lerobot-onnx-package", "format_version": 1, "policy_type", "graphs": {"chunk":
                    {"file", "inputs": [{"name", "dtype", "shape"}], "outputs": [...]}}, "exporter": {...}}
Graph inputs are named after the policy's input features (observation.state, observation.images.<cam>, ...);
"batch" names the dynamic first axis. Before it finishes, the exporter runs PyTorch and ONNX Runtime on random
inputs (batch 1 and 2) and fails when they differ by more than --atol; it prints the max absolute difference.

Supported policy types: act (single pass, observation → chunk).
"""
import argparse
import json
import os
import shutil
import sys

SUPPORTED = ("act",)


class ChunkGraph:
    """Wraps a policy's network as (state, images...) → normalized chunk, the graph the server runs."""

    @staticmethod
    def build(policy):
        import torch

        config = policy.config
        names = []
        if config.robot_state_feature is not None:
            names.append("observation.state")
        if config.env_state_feature is not None:
            names.append("observation.environment_state")
        images = list(config.image_features)
        names += images

        class Wrapper(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.model = policy.model

            def forward(self, *tensors):
                batch = dict(zip(names, tensors))
                if images:
                    batch["observation.images"] = [batch[key] for key in images]
                return self.model(batch)[0]

        return Wrapper().eval(), names


def feature_shapes(policy):
    shapes = {}
    for key, feature in policy.config.input_features.items():
        shapes[key] = list(feature.shape)
    return shapes


def random_inputs(names, shapes, batch, generator):
    import torch

    return tuple(torch.randn([batch] + shapes[name], generator=generator) for name in names)


def export_policy(policy, checkpoint_dir, output, opset=17, atol=1e-4, samples=3, keep_weights=False, log=print):
    """Writes the model package for `policy` (loaded from `checkpoint_dir`) into `output`; returns the max abs diff."""
    import lerobot
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    config = policy.config
    if config.type not in SUPPORTED:
        raise SystemExit(f"policy type '{config.type}' is not supported by this exporter (supported: {', '.join(SUPPORTED)})")
    policy = policy.to("cpu").eval()
    os.makedirs(os.path.join(output, "onnx"), exist_ok=True)
    for name in sorted(os.listdir(checkpoint_dir)):
        source = os.path.join(checkpoint_dir, name)
        if not os.path.isfile(source) or (name == "model.safetensors" and not keep_weights):
            continue
        if name.endswith(".json") or name.endswith(".safetensors") or name == "README.md":
            shutil.copy2(source, os.path.join(output, name))

    wrapper, names = ChunkGraph.build(policy)
    shapes = feature_shapes(policy)
    generator = torch.Generator().manual_seed(0)
    example = random_inputs(names, shapes, 1, generator)
    path = os.path.join(output, "onnx", "chunk.onnx")
    with torch.no_grad():
        torch.onnx.export(
            wrapper, example, path, input_names=names, output_names=["action"],
            dynamic_axes={name: {0: "batch"} for name in names + ["action"]}, opset_version=opset, dynamo=False,
        )
    onnx.checker.check_model(onnx.load(path))

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    worst = 0.0
    for batch in (1, 2):
        for _ in range(samples):
            inputs = random_inputs(names, shapes, batch, generator)
            with torch.no_grad():
                expected = wrapper(*inputs).numpy()
            got = session.run(["action"], {n: t.numpy() for n, t in zip(names, inputs)})[0]
            if got.shape != expected.shape:
                raise SystemExit(f"ONNX Runtime gave {got.shape}, PyTorch {expected.shape} (batch {batch})")
            worst = max(worst, float(np.abs(got - expected).max()))
    log(f"max |onnxruntime - pytorch| over {2 * samples} random inputs (batch 1 and 2): {worst:.3g}")
    if worst > atol:
        raise SystemExit(f"the exported graph differs from PyTorch by {worst:.3g} > --atol {atol}")

    chunk = config.chunk_size
    action_dim = config.output_features["action"].shape[0]
    package = {
        "format": "lerobot-onnx-package",
        "format_version": 1,
        "policy_type": config.type,
        "graphs": {
            "chunk": {
                "file": "chunk.onnx",
                "inputs": [{"name": n, "dtype": "float32", "shape": ["batch"] + shapes[n]} for n in names],
                "outputs": [{"name": "action", "dtype": "float32", "shape": ["batch", chunk, action_dim]}],
            }
        },
        "exporter": {
            "tool": "tools/export_onnx.py",
            "lerobot": getattr(lerobot, "__version__", "unknown"),
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": ort.__version__,
            "opset": opset,
            "max_abs_diff": worst,
        },
    }
    with open(os.path.join(output, "onnx", "model.json"), "w") as f:
        json.dump(package, f, indent=2)
    log(f"wrote {output} ({os.path.getsize(path) / 1e6:.2f} MB graph)")
    return worst


def load_policy(path):
    from lerobot.configs.policies import PreTrainedConfig
    from lerobot.policies.factory import get_policy_class

    if not os.path.isdir(path):
        from huggingface_hub import snapshot_download

        path = snapshot_download(path)
    config = PreTrainedConfig.from_pretrained(path)
    if config.type not in SUPPORTED:
        raise SystemExit(f"policy type '{config.type}' is not supported by this exporter (supported: {', '.join(SUPPORTED)})")
    config.device = "cpu"
    policy = get_policy_class(config.type).from_pretrained(path, config=config)
    return policy, path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy.path", dest="policy_path", required=True, help="checkpoint directory or Hub repo id")
    parser.add_argument("--output", required=True, help="model package directory to write")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--atol", type=float, default=1e-4, help="largest accepted |onnxruntime - pytorch|")
    parser.add_argument("--samples", type=int, default=3, help="random inputs per batch size for the check")
    parser.add_argument("--keep-weights", action="store_true", help="also copy model.safetensors")
    args = parser.parse_args(argv)
    policy, path = load_policy(args.policy_path)
    export_policy(policy, path, args.output, args.opset, args.atol, args.samples, args.keep_weights)


if __name__ == "__main__":
    sys.exit(main())
