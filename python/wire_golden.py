#!/usr/bin/env python3
"""Golden vectors for the LeRobot remote-inference wire format, made with the Python stack LeRobot uses.

Commands (all write or read plain files; the Swift tests drive them):

  generate OUT.json        every case: the msgpack bytes Python produces, the canonical bytes (all fields,
                           LeRobot's key order) and the expected values as JSON
  check CASES.json SWIFT.json
                           verifies what Swift produced for each case: its decoded values equal the expected
                           ones, its encoding is byte-identical to Python's canonical bytes, and Python's
                           msgpack decodes Swift's bytes to the canonical values
  jpeg-fixtures DIR        a synthetic camera frame (raw RGB), its Pillow JPEG (q90, 4:2:0) and Pillow's
                           decoding of that JPEG, plus a pure-red JPEG
  jpeg-check DIR           checks the JPEGs Swift wrote into DIR: PSNR against the source, red stays red
"""
import json
import math
import struct
import sys
from pathlib import Path

import msgpack
import numpy as np
from PIL import Image

# --- message schemas: key order and defaults, as lerobot-protocol.md section 3 lists them -------------------

TENSOR = "tensor"
IMAGES = "images"
TAGS = "tags"

SCHEMAS = {
    "Observation": [
        ("state", TENSOR, None), ("images", IMAGES, {}), ("task", str, ""), ("inference_delay_steps", int, 0),
        ("prefix_model", TENSOR, None), ("prefix_robot", TENSOR, None), ("episode_start", bool, False),
        ("environment_state", TENSOR, None),
    ],
    "ActionChunk": [
        ("seq_id_echo", int, 0), ("client_mono_ns_echo", int, 0), ("episode_id_echo", int, 0),
        ("chunk_model", TENSOR, None), ("chunk_robot", TENSOR, None), ("queue_wait_ms", float, 0.0),
        ("inference_ms", float, 0.0), ("superseded_seqs", int, 0), ("server_load", float, 0.0),
    ],
    "SessionOpen": [
        ("op", str, "open"), ("client_uuid", str, ""), ("robot_type", str, ""), ("policy_type", str, ""),
        ("fps", float, 30.0), ("action_names", list, []), ("camera_names", list, []), ("state_dim", int, 0),
        ("schema_version", int, 1), ("rtc_enabled", bool, False), ("task", str, ""), ("tags", TAGS, {}),
    ],
    "SessionAck": [
        ("accepted", bool, False), ("error", str, ""), ("warnings", list, []), ("session_id", str, ""),
        ("model_repo", str, ""), ("model_revision", str, ""), ("policy_type", str, ""),
        ("action_names", list, []), ("expected_cameras", list, []), ("state_dim", int, 0),
        ("chunk_size", int, 0), ("trained_fps", float, 0.0), ("supports_rtc", bool, False),
        ("rtc_execution_horizon", int, 0), ("serving_mode", str, ""), ("warmed_up", bool, False),
        ("schema_version", int, 1), ("server_load", float, 0.0),
    ],
    "Status": [
        ("model_repo", str, ""), ("model_revision", str, ""), ("policy_type", str, ""), ("action_names", list, []),
        ("expected_cameras", list, []), ("state_dim", int, 0), ("chunk_size", int, 0),
        ("trained_fps", float, 0.0), ("supports_rtc", bool, False), ("rtc_execution_horizon", int, 0),
        ("serving_mode", str, ""), ("warmed_up", bool, False), ("min_schema_version", int, 1),
        ("max_schema_version", int, 1), ("active_sessions", int, 0), ("max_sessions", int, 0),
    ],
    "SessionClose": [("op", str, "close"), ("client_uuid", str, ""), ("session_id", str, "")],
    "Reset": [("client_uuid", str, ""), ("episode_id", int, 0)],
    "ResetAck": [("ok", bool, False), ("error", str, "")],
}

# Python's encoders (LeRobot's side): numpy arrays become {"dtype", "shape", "data"} with little-endian bytes.


def enc_tensor(arr):
    if arr is None:
        return None
    arr = np.asarray(arr)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    arr = np.ascontiguousarray(arr)
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.tobytes()}


def enc_image(img):
    if img[0] == "jpeg":
        return {"codec": "jpeg", "data": img[1]}
    return {"codec": "raw", "shape": list(img[1].shape), "data": img[1].tobytes()}


def wire_value(kind, value):
    if kind == TENSOR:
        return enc_tensor(value)
    if kind == IMAGES:
        return {k: enc_image(v) for k, v in value.items()}
    if kind == float:
        return float(value)
    return value


# Optional keys written only when set (so messages without them encode as before they existed).
OMITTED_WHEN_NONE = {("Observation", "environment_state")}


def canonical(msg_type, fields):
    """All fields, LeRobot's order, defaults filled: what a Python encoder writes."""
    return {k: wire_value(kind, fields.get(k, default)) for k, kind, default in SCHEMAS[msg_type]
            if not ((msg_type, k) in OMITTED_WHEN_NONE and fields.get(k, default) is None)}


# --- expected values, as the Swift tests report theirs (JSON; ordered maps as [key, value] lists) ----------


def exp_tensor(arr):
    if arr is None:
        return None
    arr = np.asarray(arr)
    le = arr.astype(arr.dtype.newbyteorder("<")) if arr.dtype.byteorder == ">" else arr
    return {"dtype": le.dtype.str, "shape": list(arr.shape), "values": arr.astype(np.float64).reshape(-1).tolist()}


def exp_image(img):
    if img[0] == "jpeg":
        return {"codec": "jpeg", "data_hex": img[1].hex()}
    return {"codec": "raw", "shape": list(img[1].shape), "data_hex": img[1].tobytes().hex()}


def expected(msg_type, fields):
    out = {}
    for k, kind, default in SCHEMAS[msg_type]:
        if k == "op":
            continue  # the op key selects the type; it is not a field of the decoded value
        v = fields.get(k, default)
        if kind == TENSOR:
            out[k] = exp_tensor(v)
        elif kind == IMAGES:
            out[k] = [[name, exp_image(img)] for name, img in v.items()]
        elif kind == TAGS:
            out[k] = [[name, tag] for name, tag in v.items()]
        elif kind == float:
            out[k] = float(v)
        else:
            out[k] = v
    return out


# --- the cases --------------------------------------------------------------------------------------------


def rng_image(seed, h, w):
    r = np.random.default_rng(seed)
    return r.integers(0, 256, size=(h, w, 3), dtype=np.uint8)


def tiny_jpeg(color, h=8, w=8):
    import io
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w, 3), color, dtype=np.uint8)).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def message_cases():
    f32 = np.float32
    rows = (np.arange(60, dtype=f32).reshape(10, 6) * f32(0.01)) - f32(0.25)
    chunk = np.arange(50 * 14, dtype=f32).reshape(50, 14) * f32(-0.5)
    cases = []

    def add(name, msg_type, fields, wire=None, single_float=False):
        """wire: the exact dict Python packs (default: the canonical dict)."""
        body = wire if wire is not None else canonical(msg_type, fields)
        cases.append({
            "name": name, "type": msg_type,
            "hex": msgpack.packb(body, use_bin_type=True, use_single_float=single_float).hex(),
            "canonical_hex": msgpack.packb(canonical(msg_type, fields), use_bin_type=True).hex(),
            "expected": expected(msg_type, fields),
        })

    # Observation
    full_obs = {
        "state": np.array([0.0, -1.5, 3.25, 1e-7, -0.0, 12345.678], dtype=f32),
        "images": {"observation.images.front": ("raw", rng_image(1, 4, 5)),
                   "observation.images.wrist": ("jpeg", tiny_jpeg((200, 30, 40)))},
        "task": "fold the towel", "inference_delay_steps": 3,
        "prefix_model": rows, "prefix_robot": rows * f32(2), "episode_start": True,
    }
    add("obs_full", "Observation", full_obs)
    add("obs_empty_map", "Observation", {}, wire={})
    add("obs_only_task", "Observation", {"task": "pick"}, wire={"task": "pick"})
    add("obs_nil_tensors", "Observation", {"state": None, "task": ""})
    add("obs_environment_state", "Observation", {"state": np.ones(6, dtype=f32),
                                                 "environment_state": np.array([0.5, -1, 3, 4], dtype=f32)})
    add("obs_unicode_task", "Observation",
        {"task": "折り畳む タオル 🧺 — ñandú «quote» \"x\" \\ \n tab\t", "state": np.zeros(0, dtype=f32)})
    add("obs_long_task", "Observation", {"task": "x" * 40 + "é" * 300})  # str8 and str16 forms
    many = {f"observation.images.cam{i}": ("raw", rng_image(10 + i, 2, 3)) for i in range(20)}
    add("obs_many_cameras", "Observation", {"images": many, "state": np.ones(14, dtype=f32)})
    add("obs_negative_delay", "Observation", {"inference_delay_steps": -7})
    add("obs_large_delay", "Observation", {"inference_delay_steps": 2**40})
    add("obs_unknown_keys", "Observation", {"task": "t", "episode_start": True},
        wire={"future_key": [1, 2, {"x": None}], "task": "t", "episode_start": True, "zzz": b"\x00\x01"})
    add("obs_reordered_keys", "Observation", {"task": "t", "inference_delay_steps": 5},
        wire={"inference_delay_steps": 5, "task": "t"})
    add("obs_dtypes", "Observation", {"state": np.array([1, -2, 3], dtype=np.int64),
                                      "prefix_model": np.array([[1.5, 2.5]], dtype=np.float64),
                                      "prefix_robot": np.array([[True, False]], dtype=np.bool_)})
    add("obs_more_dtypes", "Observation", {"state": np.array([0.5, -2, 65504], dtype=np.float16),
                                           "prefix_model": np.array([[7, -8]], dtype=np.int32),
                                           "prefix_robot": np.array([[0, 255]], dtype=np.uint8)})
    be = np.array([1.0, -2.5, 3.0], dtype=">f4")
    add("obs_big_endian_state", "Observation", {"state": be},
        wire={"state": {"dtype": be.dtype.str, "shape": [3], "data": be.tobytes()}})
    add("obs_empty_2d_prefix", "Observation", {"prefix_model": np.zeros((0, 6), dtype=f32)})
    add("obs_3d_state", "Observation", {"state": np.arange(24, dtype=f32).reshape(2, 3, 4)})
    add("obs_nil_values", "Observation", {}, wire={"state": None, "images": None, "task": None,
                                                   "inference_delay_steps": None, "episode_start": None})
    add("obs_missing_codec_means_jpeg", "Observation",
        {"images": {"observation.images.front": ("jpeg", tiny_jpeg((0, 0, 255)))}},
        wire={"images": {"observation.images.front": {"data": tiny_jpeg((0, 0, 255))}}})

    # ActionChunk
    add("chunk_full", "ActionChunk", {
        "seq_id_echo": 2**64 - 1, "client_mono_ns_echo": -(2**63), "episode_id_echo": 4294967295,
        "chunk_model": chunk, "chunk_robot": chunk * f32(2), "queue_wait_ms": 0.125, "inference_ms": 33.3333,
        "superseded_seqs": 3, "server_load": 0.4})
    add("chunk_only_seq", "ActionChunk", {"seq_id_echo": 7}, wire={"seq_id_echo": 7})
    for n, v in enumerate([0, 1, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**63 - 1]):
        add(f"chunk_int_{n}", "ActionChunk", {"seq_id_echo": v, "superseded_seqs": v})
    for n, v in enumerate([-1, -32, -33, -128, -129, -32768, -32769, -(2**31), -(2**31) - 1, -(2**63)]):
        add(f"chunk_negint_{n}", "ActionChunk", {"client_mono_ns_echo": v, "episode_id_echo": v})
    for n, v in enumerate([0.0, -0.0, 1e-300, 1.7976931348623157e308, -2.5, 1 / 3, 5e-324]):
        add(f"chunk_float_{n}", "ActionChunk", {"queue_wait_ms": v, "server_load": v})
    add("chunk_int_for_float", "ActionChunk", {"queue_wait_ms": 12.0, "inference_ms": 3.0},
        wire={"queue_wait_ms": 12, "inference_ms": 3})
    add("chunk_single_precision_float", "ActionChunk", {"server_load": 0.5, "inference_ms": 0.25},
        wire={"server_load": 0.5, "inference_ms": 0.25}, single_float=True)

    # SessionOpen / SessionClose
    names = [f"joint_{i}.pos" for i in range(6)]
    add("open_full", "SessionOpen", {
        "client_uuid": "3f2a9c", "robot_type": "so100_follower", "policy_type": "pi0", "fps": 30.0,
        "action_names": names, "camera_names": ["observation.images.front", "observation.images.wrist"],
        "state_dim": 6, "schema_version": 1, "rtc_enabled": True, "task": "fold the towel",
        "tags": {"site": "lab-1", "operator": "ünïcødé", "empty": ""}})
    add("open_missing_op", "SessionOpen", {"client_uuid": "u"}, wire={"client_uuid": "u"})
    add("open_unknown_keys", "SessionOpen", {"client_uuid": "u", "fps": 15.0},
        wire={"op": "open", "client_uuid": "u", "fps": 15.0, "new_field": {"a": 1}})
    add("open_many_tags", "SessionOpen", {"tags": {f"k{i}": f"v{i}" for i in range(40)},
                                          "action_names": [f"a{i}" for i in range(20)]})
    add("close_full", "SessionClose", {"client_uuid": "abc", "session_id": "0123456789abcdef"})
    add("close_no_session", "SessionClose", {"client_uuid": "abc"}, wire={"op": "close", "client_uuid": "abc"})

    # SessionAck / Status
    ack = {"accepted": True, "error": "", "warnings": ["client fps=15.0 != trained fps=30.0"],
           "session_id": "a" * 32, "model_repo": "lerobot/pi0_towels", "model_revision": "main",
           "policy_type": "pi0", "action_names": names, "expected_cameras": ["observation.images.front"],
           "state_dim": 6, "chunk_size": 50, "trained_fps": 30.0, "supports_rtc": True,
           "rtc_execution_horizon": 10, "serving_mode": "shared", "warmed_up": True, "schema_version": 1,
           "server_load": 0.2}
    add("ack_full", "SessionAck", ack)
    add("ack_only_accepted", "SessionAck", {"accepted": False}, wire={"accepted": False})
    add("ack_rejected", "SessionAck", {"accepted": False, "error": "server full: 5/5 sessions active"})
    add("ack_unknown_keys", "SessionAck", {"accepted": True}, wire={"accepted": True, "x": 1, "y": [None]})
    add("status_full", "Status", {
        "model_repo": "lerobot/pi0_towels", "model_revision": "v1.2", "policy_type": "pi0",
        "action_names": names, "expected_cameras": [], "state_dim": 6, "chunk_size": 50, "trained_fps": 30.0,
        "supports_rtc": True, "rtc_execution_horizon": 10, "serving_mode": "shared", "warmed_up": True,
        "min_schema_version": 1, "max_schema_version": 1, "active_sessions": 2, "max_sessions": 5})
    add("status_empty", "Status", {}, wire={})

    # Reset / ResetAck
    add("reset_full", "Reset", {"client_uuid": "c1", "episode_id": 42})
    add("reset_negative", "Reset", {"client_uuid": "c1", "episode_id": -1})
    add("reset_unknown_keys", "Reset", {"client_uuid": "c"}, wire={"client_uuid": "c", "extra": 9})
    add("resetack_ok", "ResetAck", {"ok": True})
    add("resetack_error", "ResetAck", {"ok": False, "error": "unknown client 'x'"})
    return cases


def header_cases():
    out = []
    for n, (schema, typ, seq, ep, mono, epoch) in enumerate([
        (1, 1, 0, 0, 0, 0), (1, 2, 2**64 - 1, 2**32 - 1, -(2**63), 2**32 - 1), (1, 3, 12345, 7, -1, 3),
        (2, 1, 1, 1, 2**63 - 1, 1), (65535, 255, 2**40, 2**20, -123456789, 99),
    ]):
        out.append({"name": f"header_{n}", "type": "Header",
                    "hex": struct.pack("<HBQIqI", schema, typ, seq, ep, mono, epoch).hex(),
                    "expected": {"schema_version": schema, "message_type": typ, "seq_id": seq, "episode_id": ep,
                                 "client_mono_ns": mono, "session_epoch": epoch}})
    for c in out:
        c["canonical_hex"] = c["hex"]
    return out


# --- checking what Swift produced --------------------------------------------------------------------------


def same(a, b):
    """Deep equality that tells bool from int and compares floats exactly (NaN-free cases)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b) and (math.copysign(1, a) == math.copysign(1, b) if a == 0 else True)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def check(cases_path, swift_path):
    cases = {c["name"]: c for c in json.loads(Path(cases_path).read_text())}
    swift = json.loads(Path(swift_path).read_text())
    passed, failed = 0, 0
    seen = set()
    for result in swift:
        name = result["name"]
        seen.add(name)
        case = cases.get(name)
        problems = []
        if case is None:
            problems.append("no such case")
        else:
            if not same(result["decoded"], case["expected"]):
                problems.append(f"decoded values differ:\n  swift:    {json.dumps(result['decoded'])[:2000]}"
                                f"\n  expected: {json.dumps(case['expected'])[:2000]}")
            if result["encoded_hex"] != case["canonical_hex"]:
                problems.append("encoding is not byte-identical to Python's canonical bytes")
            if case["type"] != "Header":
                ours = msgpack.unpackb(bytes.fromhex(result["encoded_hex"]), raw=False, strict_map_key=True)
                theirs = msgpack.unpackb(bytes.fromhex(case["canonical_hex"]), raw=False)
                if not same(ours, theirs):
                    problems.append("Python decodes Swift's bytes to different values")
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
        else:
            passed += 1
    for name in cases:
        if name not in seen:
            failed += 1
            print(f"FAIL {name}: Swift reported nothing for this case")
    print(f"golden: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


# --- JPEG -------------------------------------------------------------------------------------------------


def scene(h=480, w=640):
    """A camera-like frame: smooth gradients, hard-edged shapes and mild sensor noise (deterministic)."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([x / w * 200 + 30, y / h * 180 + 40, (x + y) / (w + h) * 150 + 60], axis=-1)
    img[h // 4: h // 2, w // 5: w // 2] = [220, 40, 30]
    img[(x - w * 0.7) ** 2 + (y - h * 0.6) ** 2 < (h / 6) ** 2] = [30, 160, 60]
    img[int(h * 0.7): int(h * 0.75), :] = [20, 20, 20]
    img += np.random.default_rng(7).normal(0, 3, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def pil_jpeg(arr, quality):
    import io
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, format="JPEG", quality=quality, subsampling="4:2:0")
    return buf.getvalue()


def pil_decode(data):
    import io
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * math.log10(255.0**2 / mse)


def jpeg_fixtures(out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    src = scene()
    (out / "scene.rgb").write_bytes(src.tobytes())
    jpg = pil_jpeg(src, 90)
    (out / "scene_pil_q90.jpg").write_bytes(jpg)
    (out / "scene_pil_q90_decoded.rgb").write_bytes(pil_decode(jpg).tobytes())
    red = np.zeros((48, 64, 3), dtype=np.uint8)
    red[..., 0] = 255
    (out / "red_pil.jpg").write_bytes(pil_jpeg(red, 90))
    (out / "meta.json").write_text(json.dumps({"height": 480, "width": 640, "red_height": 48, "red_width": 64}))
    return 0


def jpeg_check(out):
    out = Path(out)
    src = np.frombuffer((out / "scene.rgb").read_bytes(), dtype=np.uint8).reshape(480, 640, 3)
    swift_scene = pil_decode((out / "scene_swift_q90.jpg").read_bytes())
    value = psnr(src, swift_scene)
    red = pil_decode((out / "red_swift.jpg").read_bytes())
    means = red.reshape(-1, 3).mean(axis=0)
    ok_psnr = value >= 35.0
    ok_red = means[0] > 200 and means[2] < 50 and means[1] < 50
    print(json.dumps({"psnr_db": round(value, 3), "red_means": [round(float(m), 2) for m in means],
                      "swift_shape": list(swift_scene.shape)}))
    print(f"jpeg: {int(ok_psnr) + int(ok_red)} passed, {int(not ok_psnr) + int(not ok_red)} failed")
    return 0 if ok_psnr and ok_red and swift_scene.shape == (480, 640, 3) else 1


def main(argv):
    if len(argv) >= 2 and argv[0] == "generate":
        Path(argv[1]).write_text(json.dumps(message_cases() + header_cases()))
        return 0
    if len(argv) == 3 and argv[0] == "check":
        return check(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "jpeg-fixtures":
        return jpeg_fixtures(argv[1])
    if len(argv) == 2 and argv[0] == "jpeg-check":
        return jpeg_check(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
