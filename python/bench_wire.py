#!/usr/bin/env python3
"""The same wire work as Benchmarks/policy-wire-bench, done the Python way (msgpack + numpy + Pillow).

  bench_wire.py FRAME.rgb [iterations]     one JSON line per operation (median and p90 in microseconds)
"""
import io
import json
import sys
import time

import msgpack
import numpy as np
from PIL import Image


def tensor(arr):
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.tobytes()}


def from_tensor(t):
    return np.frombuffer(t["data"], dtype=np.dtype(t["dtype"])).reshape(t["shape"])


def jpeg(arr):
    buf = io.BytesIO()
    Image.fromarray(arr, "RGB").save(buf, format="JPEG", quality=90, subsampling="4:2:0")
    return buf.getvalue()


def unjpeg(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def main():
    frame = np.frombuffer(open(sys.argv[1], "rb").read(), dtype=np.uint8).reshape(480, 640, 3)
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    front = np.ascontiguousarray(frame)
    wrist = np.ascontiguousarray(frame[:, ::-1])
    state = (np.arange(6, dtype=np.float32) * np.float32(0.1)) + np.float32(0.5)
    prefix = (np.arange(60, dtype=np.float32) * np.float32(0.01)).reshape(10, 6)
    chunk = (np.arange(700, dtype=np.float32) * np.float32(0.001)).reshape(50, 14)

    def observation(images):
        return {"state": tensor(state), "images": images, "task": "pick up the cube", "inference_delay_steps": 3,
                "prefix_model": tensor(prefix), "prefix_robot": tensor(prefix), "episode_start": False}

    def obs_encode():
        images = {"observation.images.front": {"codec": "jpeg", "data": jpeg(front)},
                  "observation.images.wrist": {"codec": "jpeg", "data": jpeg(wrist)}}
        return len(msgpack.packb(observation(images), use_bin_type=True))

    body = msgpack.packb(observation({"observation.images.front": {"codec": "jpeg", "data": jpeg(front)},
                                      "observation.images.wrist": {"codec": "jpeg", "data": jpeg(wrist)}}),
                         use_bin_type=True)

    def obs_decode():
        d = msgpack.unpackb(body, raw=False)
        n = from_tensor(d["state"]).size + from_tensor(d["prefix_model"]).size + from_tensor(d["prefix_robot"]).size
        for img in d["images"].values():
            n += unjpeg(img["data"]).size
        return n

    def chunk_dict():
        return {"seq_id_echo": 1234, "client_mono_ns_echo": 987654321, "episode_id_echo": 3,
                "chunk_model": tensor(chunk), "chunk_robot": tensor(chunk), "queue_wait_ms": 0.4,
                "inference_ms": 12.5, "superseded_seqs": 0, "server_load": 0.2}

    chunk_body = msgpack.packb(chunk_dict(), use_bin_type=True)

    def chunk_decode():
        d = msgpack.unpackb(chunk_body, raw=False)
        return from_tensor(d["chunk_model"]).size + from_tensor(d["chunk_robot"]).size

    front_jpeg = jpeg(front)
    pre = observation({"observation.images.front": {"codec": "jpeg", "data": front_jpeg},
                       "observation.images.wrist": {"codec": "jpeg", "data": jpeg(wrist)}})

    ops = [
        ("observation_encode", obs_encode),
        ("observation_decode", obs_decode),
        ("chunk_encode", lambda: len(msgpack.packb(chunk_dict(), use_bin_type=True))),
        ("chunk_decode", chunk_decode),
        ("jpeg_encode_one_camera", lambda: len(jpeg(front))),
        ("jpeg_decode_one_camera", lambda: unjpeg(front_jpeg).size),
        ("observation_msgpack_encode", lambda: len(msgpack.packb(pre, use_bin_type=True))),
        ("observation_msgpack_decode", lambda: len(msgpack.unpackb(body, raw=False)["images"])),
    ]
    for name, fn in ops:
        for _ in range(max(5, iterations // 10)):
            size = fn()
        samples = []
        for _ in range(iterations):
            t0 = time.perf_counter_ns()
            size = fn()
            samples.append(time.perf_counter_ns() - t0)
        samples.sort()
        print(json.dumps({"impl": "python", "op": name, "median_us": round(samples[len(samples) // 2] / 1000, 1),
                          "p90_us": round(samples[len(samples) * 9 // 10] / 1000, 1), "bytes": size}))


if __name__ == "__main__":
    main()
