"""Reference data for the Swift ONNX policy runtime, computed with numpy, safetensors and Python onnxruntime
(no torch). Every array file is raw little-endian; float32 unless said otherwise.

usage:
  onnx_policy_fixtures.py normalization <dir>   statistics (.safetensors) + inputs + LeRobot's formulas per mode
  onnx_policy_fixtures.py images <dir>          uint8 HWC frames + the float CHW [0, 1] images, same size and resized
  onnx_policy_fixtures.py dtypes <dir>          a .safetensors with F32, F64, F16, I64, I32, U8, a scalar, an empty tensor
  onnx_policy_fixtures.py tiny-act <dir> --cameras N --chunk T [--seed S] [--relative]
                                                a model package shaped like an ACT checkpoint (config.json, processor
                                                JSONs, normalizer stats, onnx/) with a small graph, requests, and the
                                                chunk_model / chunk_robot that LeRobot's processors + onnxruntime give
"""
import argparse
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file

EPS = np.float32(1e-8)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)


def write(path, array):
    np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(path)


# LeRobot's normalizer (processor/normalize_processor.py), float32, same operation order.
def normalize(x, mode, s):
    if mode == "IDENTITY":
        return x
    if mode == "MEAN_STD":
        return (x - s["mean"]) / (s["std"] + EPS)
    lo, hi = {"MIN_MAX": ("min", "max"), "QUANTILES": ("q01", "q99"), "QUANTILE10": ("q10", "q90")}[mode]
    d = s[hi] - s[lo]
    d = np.where(d == 0, EPS, d).astype(np.float32)
    return np.float32(2) * (x - s[lo]) / d - np.float32(1)


def unnormalize(y, mode, s):
    if mode == "IDENTITY":
        return y
    if mode == "MEAN_STD":
        return y * s["std"] + s["mean"]
    lo, hi = {"MIN_MAX": ("min", "max"), "QUANTILES": ("q01", "q99"), "QUANTILE10": ("q10", "q90")}[mode]
    d = s[hi] - s[lo]
    d = np.where(d == 0, EPS, d).astype(np.float32)
    if mode == "MIN_MAX":
        return (y + np.float32(1)) / np.float32(2) * d + s[lo]
    return (y + np.float32(1)) * d / np.float32(2) + s[lo]


def random_stats(rng, shape):
    lo = rng.uniform(-3, 0, shape).astype(np.float32)
    hi = (lo + rng.uniform(0.5, 4, shape)).astype(np.float32)
    stats = {
        "mean": rng.uniform(-1, 1, shape).astype(np.float32),
        "std": rng.uniform(0.1, 2, shape).astype(np.float32),
        "min": lo, "max": hi,
        "q01": (lo + np.float32(0.1)).astype(np.float32), "q99": (hi - np.float32(0.1)).astype(np.float32),
        "q10": (lo + np.float32(0.3)).astype(np.float32), "q90": (hi - np.float32(0.3)).astype(np.float32),
    }
    return stats


def normalization(out):
    rng = np.random.default_rng(11)
    features = {"observation.state": (7,), "observation.images.cam": (3, 4, 5)}
    tensors, cases = {}, []
    for key, shape in features.items():
        stat_shape = (3, 1, 1) if len(shape) == 3 else shape
        stats = random_stats(rng, stat_shape)
        if len(shape) == 1:  # a constant dimension: the ε replacement of a zero range
            for lo, hi in (("min", "max"), ("q01", "q99"), ("q10", "q90")):
                stats[hi][2] = stats[lo][2]
        for name, value in stats.items():
            tensors[f"{key}.{name}"] = value
        x = rng.uniform(-4, 4, (2,) + shape).astype(np.float32)  # two rows: the stats broadcast per row
        y = rng.uniform(-1.5, 1.5, (2,) + shape).astype(np.float32)
        safe = key.replace("/", "_")
        write(os.path.join(out, f"{safe}.x.bin"), x)
        write(os.path.join(out, f"{safe}.y.bin"), y)
        for mode in ("IDENTITY", "MEAN_STD", "MIN_MAX", "QUANTILES", "QUANTILE10"):
            write(os.path.join(out, f"{safe}.{mode}.norm.bin"), normalize(x, mode, stats).astype(np.float32))
            write(os.path.join(out, f"{safe}.{mode}.unnorm.bin"), unnormalize(y, mode, stats).astype(np.float32))
        cases.append({"key": key, "shape": list(shape), "file_key": safe})
    tensors["unrelated.dataset_key.mean"] = np.zeros(3, dtype=np.float32)  # keys that are not features are ignored
    save_file(tensors, os.path.join(out, "stats.safetensors"), metadata={"written_by": "onnx_policy_fixtures.py"})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f)


def bilinear(img, h, w):
    """PyTorch's F.interpolate(mode="bilinear", align_corners=False, antialias=False) on a [3, H, W] float image."""
    _, sh, sw = img.shape

    def taps(src, dst):
        scale = np.float32(src) / np.float32(dst)
        centre = np.maximum((np.arange(dst, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5), np.float32(0))
        lower = np.minimum(centre.astype(np.int64), src - 1)
        upper = np.minimum(lower + 1, src - 1)
        return lower, upper, (centre - lower.astype(np.float32)).astype(np.float32)

    y0, y1, wy = taps(sh, h)
    x0, x1, wx = taps(sw, w)
    one = np.float32(1)
    top = img[:, y0][:, :, x0] * (one - wx) + img[:, y0][:, :, x1] * wx
    bottom = img[:, y1][:, :, x0] * (one - wx) + img[:, y1][:, :, x1] * wx
    return (top * (one - wy)[None, :, None] + bottom * wy[None, :, None]).astype(np.float32)


def to_chw(frame):
    return (frame.astype(np.float32) / np.float32(255)).transpose(2, 0, 1).copy()


def images(out):
    rng = np.random.default_rng(5)
    cases = []
    for i, ((h, w), (th, tw)) in enumerate((((6, 8), (6, 8)), ((12, 16), (5, 7)), ((5, 7), (12, 16)), ((9, 4), (4, 9)))):
        frame = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        chw = to_chw(frame)
        result = chw if (h, w) == (th, tw) else bilinear(chw, th, tw)
        write(os.path.join(out, f"frame{i}.u8.bin"), frame)
        write(os.path.join(out, f"frame{i}.chw.bin"), result)
        cases.append({"index": i, "height": h, "width": w, "target_height": th, "target_width": tw})
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump(cases, f)


def tiny_act_graph(rng, state_dim, cameras, image_shape, chunk, action_dim):
    """observation → chunk: per-camera spatial means, concatenated with the state, through a 2-layer MLP."""
    hidden = 32
    width = state_dim + 3 * len(cameras)
    nodes, pooled = [], []
    for cam in cameras:
        nodes.append(helper.make_node("ReduceMean", [cam], [f"{cam}.pooled"], axes=[2, 3], keepdims=0))
        pooled.append(f"{cam}.pooled")
    nodes += [
        helper.make_node("Concat", ["observation.state"] + pooled, ["features"], axis=1),
        helper.make_node("MatMul", ["features", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"]),
        helper.make_node("Add", ["h3", "b2"], ["flat"]),
        helper.make_node("Reshape", ["flat", "chunk_shape"], ["action"]),
    ]
    inputs = [helper.make_tensor_value_info("observation.state", TensorProto.FLOAT, ["batch", state_dim])]
    inputs += [helper.make_tensor_value_info(c, TensorProto.FLOAT, ["batch", *image_shape]) for c in cameras]
    init = [
        numpy_helper.from_array((rng.standard_normal((width, hidden)) * 0.5).astype(np.float32), "w1"),
        numpy_helper.from_array(rng.standard_normal(hidden).astype(np.float32) * 0.1, "b1"),
        numpy_helper.from_array((rng.standard_normal((hidden, chunk * action_dim)) * 0.3).astype(np.float32), "w2"),
        numpy_helper.from_array(rng.standard_normal(chunk * action_dim).astype(np.float32) * 0.1, "b2"),
        numpy_helper.from_array(np.array([-1, chunk, action_dim], dtype=np.int64), "chunk_shape"),
    ]
    graph = helper.make_graph(
        nodes, "tiny_act", inputs,
        [helper.make_tensor_value_info("action", TensorProto.FLOAT, ["batch", chunk, action_dim])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


JOINTS = ["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos"]


def relative_mask(exclude, names, dim):
    """LeRobot's _build_mask: a dim is excluded when an exclude token equals or is inside its name (any case)."""
    if not exclude or not names:
        return np.ones(dim, dtype=np.float32)
    tokens = [t.lower() for t in exclude]
    return np.array([0.0 if j < len(names) and any(t == names[j].lower() or t in names[j].lower() for t in tokens) else 1.0
                     for j in range(dim)], dtype=np.float32)


def tiny_act(out, cameras_n, chunk, seed, relative=False):
    rng = np.random.default_rng(seed)
    state_dim = action_dim = 6
    image_shape = (3, 24, 32)
    names = ["front", "wrist", "side"][:cameras_n]
    cameras = [f"observation.images.{n}" for n in names]
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    features_in = {"observation.state": {"type": "STATE", "shape": [state_dim]}}
    for cam in cameras:
        features_in[cam] = {"type": "VISUAL", "shape": list(image_shape)}
    features_out = {"action": {"type": "ACTION", "shape": [action_dim]}}
    norm_map = {"VISUAL": "MEAN_STD", "STATE": "MEAN_STD", "ACTION": "MEAN_STD"}
    config = {
        "type": "act", "n_obs_steps": 1, "normalization_mapping": norm_map,
        "input_features": features_in, "output_features": features_out, "device": "cpu", "use_amp": False,
        "chunk_size": chunk, "n_action_steps": chunk, "vision_backbone": "resnet18", "dim_model": 16,
        "temporal_ensemble_coeff": None,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=4)
    stats = {
        "observation.state.mean": rng.uniform(-1, 1, state_dim).astype(np.float32),
        "observation.state.std": rng.uniform(0.2, 2, state_dim).astype(np.float32),
        "action.mean": rng.uniform(-1, 1, action_dim).astype(np.float32),
        "action.std": rng.uniform(0.2, 2, action_dim).astype(np.float32),
    }
    for cam in cameras:
        stats[f"{cam}.mean"] = IMAGENET_MEAN.copy()
        stats[f"{cam}.std"] = IMAGENET_STD.copy()
    pre_file = "policy_preprocessor_step_3_normalizer_processor.safetensors"
    post_file = "policy_postprocessor_step_0_unnormalizer_processor.safetensors"
    save_file(stats, os.path.join(out, pre_file))
    save_file({k: v for k, v in stats.items() if k.startswith("action.")}, os.path.join(out, post_file))
    all_features = {**features_in, **features_out}
    pre = {"name": "policy_preprocessor", "steps": [
        {"registry_name": "rename_observations_processor", "config": {"rename_map": {}}},
        {"registry_name": "to_batch_processor", "config": {}},
        {"registry_name": "device_processor", "config": {"device": "cpu", "float_dtype": None}},
        {"registry_name": "normalizer_processor", "config": {"eps": 1e-8, "features": all_features, "norm_map": norm_map},
         "state_file": pre_file},
    ]}
    post = {"name": "policy_postprocessor", "steps": [
        {"registry_name": "unnormalizer_processor", "config": {"eps": 1e-8, "features": features_out, "norm_map": norm_map},
         "state_file": post_file},
        {"registry_name": "device_processor", "config": {"device": "cpu", "float_dtype": None}},
    ]}
    exclude = ["gripper"]
    mask = relative_mask(exclude, JOINTS, action_dim) if relative else np.zeros(action_dim, dtype=np.float32)
    if relative:  # pi0's order: relative before the normalizer, absolute after the unnormalizer
        pre["steps"].insert(3, {"registry_name": "relative_actions_processor",
                                "config": {"enabled": True, "exclude_joints": exclude, "action_names": JOINTS}})
        post["steps"].insert(1, {"registry_name": "absolute_actions_processor", "config": {"enabled": True}})
    for name, pipeline in (("policy_preprocessor.json", pre), ("policy_postprocessor.json", post)):
        with open(os.path.join(out, name), "w") as f:
            json.dump(pipeline, f, indent=4)
    model = tiny_act_graph(rng, state_dim, cameras, image_shape, chunk, action_dim)
    onnx.save(model, os.path.join(out, "onnx", "chunk.onnx"))
    package = {
        "format": "lerobot-onnx-package", "format_version": 1, "policy_type": "act",
        "graphs": {"chunk": {
            "file": "chunk.onnx",
            "inputs": [{"name": "observation.state", "dtype": "float32", "shape": ["batch", state_dim]}]
            + [{"name": c, "dtype": "float32", "shape": ["batch", *image_shape]} for c in cameras],
            "outputs": [{"name": "action", "dtype": "float32", "shape": ["batch", chunk, action_dim]}],
        }},
        "exporter": {"tool": "python/onnx_policy_fixtures.py tiny-act", "onnxruntime": ort.__version__},
    }
    with open(os.path.join(out, "onnx", "model.json"), "w") as f:
        json.dump(package, f, indent=2)

    # Requests and what LeRobot's pipeline gives for them: normalize → graph → unnormalize.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(out, "onnx", "chunk.onnx"), options, providers=["CPUExecutionProvider"])
    s_state = {"mean": stats["observation.state.mean"], "std": stats["observation.state.std"]}
    s_action = {"mean": stats["action.mean"], "std": stats["action.std"]}
    requests = []
    os.makedirs(os.path.join(out, "requests"), exist_ok=True)
    for r in range(3):
        state = rng.uniform(-2, 2, state_dim).astype(np.float32)
        frames = {cam: rng.integers(0, 256, (image_shape[1], image_shape[2], 3), dtype=np.uint8) for cam in cameras}
        feed = {"observation.state": normalize(state[None], "MEAN_STD", s_state).astype(np.float32)}
        for cam, frame in frames.items():
            feed[cam] = normalize(to_chw(frame)[None], "MEAN_STD", {"mean": IMAGENET_MEAN, "std": IMAGENET_STD}).astype(np.float32)
        chunk_model = session.run(["action"], feed)[0][0]
        chunk_robot = unnormalize(chunk_model, "MEAN_STD", s_action).astype(np.float32)
        chunk_robot = (chunk_robot + state[None, :] * mask[None, :]).astype(np.float32)  # to_absolute (raw state)
        entry = {"state": f"requests/{r}.state.bin", "images": {}, "chunk_model": f"requests/{r}.model.bin",
                 "chunk_robot": f"requests/{r}.robot.bin"}
        if relative:  # an RTC prefix in robot space re-anchored to this state: normalize(prefix - state·mask)
            prefix = rng.uniform(-3, 3, (4, action_dim)).astype(np.float32)
            anchored = normalize((prefix - state[None, :] * mask[None, :]).astype(np.float32), "MEAN_STD", s_action)
            entry["prefix_robot"], entry["prefix_model"] = f"requests/{r}.prefix_robot.bin", f"requests/{r}.prefix_model.bin"
            write(os.path.join(out, entry["prefix_robot"]), prefix)
            write(os.path.join(out, entry["prefix_model"]), anchored.astype(np.float32))
        write(os.path.join(out, entry["state"]), state)
        for cam, frame in frames.items():
            entry["images"][cam] = {"file": f"requests/{r}.{cam}.u8.bin", "height": frame.shape[0], "width": frame.shape[1]}
            write(os.path.join(out, entry["images"][cam]["file"]), frame)
        write(os.path.join(out, entry["chunk_model"]), chunk_model)
        write(os.path.join(out, entry["chunk_robot"]), chunk_robot)
        requests.append(entry)
    with open(os.path.join(out, "requests", "requests.json"), "w") as f:
        json.dump({"chunk": chunk, "action_dim": action_dim, "requests": requests}, f, indent=1)


def dtypes(out):
    """One tensor per dtype the Swift reader converts, written by the safetensors library, and their float32 values."""
    rng = np.random.default_rng(9)
    base = rng.uniform(-100, 100, (2, 3)).astype(np.float32)
    tensors = {
        "f32": base, "f64": base.astype(np.float64) * 1.5, "f16": base.astype(np.float16),
        "i64": np.array([-(2**40), -1, 0, 7], dtype=np.int64), "i32": np.array([[-5, 9]], dtype=np.int32),
        "u8": np.array([0, 128, 255], dtype=np.uint8), "scalar": np.array(3.25, dtype=np.float32),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }
    save_file(tensors, os.path.join(out, "dtypes.safetensors"))
    expected = {name: {"shape": list(t.shape), "file": f"{name}.f32.bin"} for name, t in tensors.items()}
    for name, t in tensors.items():
        write(os.path.join(out, f"{name}.f32.bin"), t.astype(np.float32).reshape(-1))
    with open(os.path.join(out, "dtypes.json"), "w") as f:
        json.dump(expected, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["normalization", "images", "tiny-act", "dtypes"])
    parser.add_argument("out")
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--relative", action="store_true", help="tiny-act: relative actions (gripper excluded)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.what == "normalization":
        normalization(args.out)
    elif args.what == "dtypes":
        dtypes(args.out)
    elif args.what == "images":
        images(args.out)
    else:
        tiny_act(args.out, args.cameras, args.chunk, args.seed, args.relative)
    print(args.out)


if __name__ == "__main__":
    main()
