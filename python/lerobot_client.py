#!/usr/bin/env python3
"""A LeRobot remote-inference robot written from the protocol (eclipse-zenoh + msgpack + numpy), for tests.

  lerobot_client.py -e ENDPOINT [-m client|peer] --model M [--revision R] [--task T] --uuid U
                    [--state 0.1,0.2,...] [--count N] [--rtc] [--action-names a,b,...] [--cameras k1,k2]
                    [--fps F] [--reset-after K] [--close] [--timeout S] [--follow E [--delay D]]

Prints one JSON line per event: {"event": "status", ...}, {"event": "ack", ...}, {"event": "chunk", "seq": ...,
"header": {...}, "chunk_model": [[...]], "chunk_robot": [[...]], ...}, {"event": "reset_ack", ...},
{"event": "close_ack", ...}, then {"event": "done"}. Exits 1 with {"event": "error", "message": ...} on failure.
"""
import argparse
import json
import re
import struct
import sys
import threading
import time
import uuid as uuidlib

import msgpack
import numpy as np
import zenoh

HEADER = struct.Struct("<HBQIqI")
RESERVED = {"status", "session", "server", "obs", "action", "reset", "alive"}


def seg(s):
    out = re.sub(r"[^A-Za-z0-9_.-]+", "-", s.strip()).strip("-.")
    if not out or out in RESERVED:
        raise ValueError(f"bad key segment {s!r}")
    return out


def tensor(arr):
    arr = np.ascontiguousarray(arr)
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.tobytes()}


def from_tensor(t):
    if t is None:
        return None
    return np.frombuffer(t["data"], dtype=np.dtype(t["dtype"])).reshape(t["shape"])


def out(obj):
    print(json.dumps(obj), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("-e", "--connect", required=True)
    p.add_argument("-m", "--mode", default="client")
    p.add_argument("--model", required=True)
    p.add_argument("--revision", default="main")
    p.add_argument("--task", default="")
    p.add_argument("--uuid", default=uuidlib.uuid4().hex)
    p.add_argument("--state", default="0.1,0.2,0.3,0.4,0.5,0.6")
    p.add_argument("--count", type=int, default=3)
    p.add_argument("--rtc", action="store_true")
    p.add_argument("--action-names", default=",".join(f"joint_{i}.pos" for i in range(6)))
    p.add_argument("--cameras", default="")
    p.add_argument("--image-size", default="48x64")
    p.add_argument("--fps", type=float, default=30.0)
    p.add_argument("--reset-after", type=int, default=0)
    p.add_argument("--close", action="store_true")
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--prefix-rows", type=int, default=0)
    p.add_argument("--follow", type=int, default=-1, metavar="E",
                   help="act like an RTC robot: from the second request on, the prefix is the previous chunk's leftover "
                        "after E executed actions (model and robot space, at most the ack's rtc_execution_horizon rows)")
    p.add_argument("--delay", type=int, default=2, help="inference_delay_steps sent with --rtc or --follow")
    p.add_argument("--tls-ca", default=None, help="root CA (PEM); with --tls-cert and --tls-key: mutual TLS")
    p.add_argument("--tls-cert", default=None)
    p.add_argument("--tls-key", default=None)
    p.add_argument("--raw-obs-only", action="store_true", help="publish observations without a session (unknown client)")
    p.add_argument("--junk", action="store_true",
                   help="before the first observation, publish three that must be dropped: no attachment, a 5-byte "
                        "attachment, schema version 2")
    a = p.parse_args()

    prefix = f"@lerobot/{seg(a.model)}/{seg(a.revision or 'main')}/{seg(a.task or 'default')}"
    uid = seg(a.uuid)
    conf = zenoh.Config()
    conf.insert_json5("mode", json.dumps(a.mode))
    conf.insert_json5("scouting/multicast/enabled", "false")
    conf.insert_json5("connect/endpoints", json.dumps([a.connect]))
    if a.tls_ca:
        conf.insert_json5("transport/link/tls/root_ca_certificate", json.dumps(a.tls_ca))
        conf.insert_json5("transport/link/tls/connect_certificate", json.dumps(a.tls_cert))
        conf.insert_json5("transport/link/tls/connect_private_key", json.dumps(a.tls_key))
        conf.insert_json5("transport/link/tls/enable_mtls", "true")
    session = zenoh.open(conf)
    keep = []
    try:
        replies = list(session.get(f"{prefix}/status", timeout=a.timeout))
        ok = [r.ok for r in replies if r.ok is not None]
        if not ok:
            out({"event": "error", "message": f"No policy server answered status query at '{prefix}/status'"})
            return 1
        status = msgpack.unpackb(ok[0].payload.to_bytes(), raw=False)
        out({"event": "status", **status})
        chunks = []
        got = threading.Condition()

        def on_action(sample):
            att = sample.attachment.to_bytes() if sample.attachment is not None else b""
            if len(att) != HEADER.size:
                return
            with got:
                chunks.append((HEADER.unpack(att), msgpack.unpackb(sample.payload.to_bytes(), raw=False)))
                got.notify_all()

        keep.append(session.declare_subscriber(f"{prefix}/{uid}/action", on_action))
        keep.append(session.liveliness().declare_token(f"{prefix}/{uid}/alive"))
        pub = session.declare_publisher(f"{prefix}/{uid}/obs")
        names = [n for n in a.action_names.split(",") if n]
        cameras = [c for c in a.cameras.split(",") if c]
        ack = None
        if not a.raw_obs_only:
            open_msg = {"op": "open", "client_uuid": uid, "robot_type": "test_robot", "policy_type": status.get("policy_type", ""),
                        "fps": a.fps, "action_names": names, "camera_names": cameras,
                        "state_dim": len(a.state.split(",")), "schema_version": 1, "rtc_enabled": a.rtc,
                        "task": a.task, "tags": {"suite": "interop"}}
            replies = [r.ok for r in session.get(f"{prefix}/session", payload=msgpack.packb(open_msg, use_bin_type=True),
                                                   timeout=a.timeout) if r.ok is not None]
            if not replies:
                out({"event": "error", "message": "no session ack"})
                return 1
            ack = msgpack.unpackb(replies[0].payload.to_bytes(), raw=False)
            out({"event": "ack", **ack})
            if not ack.get("accepted"):
                out({"event": "done"})
                return 0
        state = np.array([float(x) for x in a.state.split(",")], dtype=np.float32)
        h, w = (int(x) for x in a.image_size.split("x"))
        episode = 1
        horizon = int((ack or {}).get("rtc_execution_horizon") or 10) if not a.raw_obs_only else 10
        previous = None
        time.sleep(0.3)  # let the subscriber declaration reach the server
        if a.junk:
            junk = msgpack.packb({"state": tensor(np.zeros(1, dtype=np.float32))}, use_bin_type=True)
            pub.put(junk)
            pub.put(junk, attachment=b"\x01\x00\x01\x00\x00")
            pub.put(junk, attachment=HEADER.pack(2, 1, 1, 1, time.monotonic_ns(), 1))
        for seq in range(1, a.count + 1):
            if a.reset_after and seq == a.reset_after + 1:
                episode += 1
                rr = [r.ok for r in session.get(f"{prefix}/{uid}/reset",
                                                payload=msgpack.packb({"client_uuid": uid, "episode_id": episode}, use_bin_type=True),
                                                timeout=a.timeout) if r.ok is not None]
                out({"event": "reset_ack", **(msgpack.unpackb(rr[0].payload.to_bytes(), raw=False) if rr else {"ok": None})})
            images = {c: {"codec": "raw", "shape": [h, w, 3], "data": bytes(h * w * 3)} for c in cameras}
            pm = np.arange(a.prefix_rows * len(names), dtype=np.float32).reshape(a.prefix_rows, len(names)) if a.prefix_rows else None
            pr = pm * 2 if pm is not None else None
            if a.follow >= 0:
                pm = pr = None
                if previous is not None:
                    pm = previous[0][a.follow:a.follow + horizon].astype(np.float32)
                    pr = previous[1][a.follow:a.follow + horizon].astype(np.float32)
            body = {"state": tensor(state), "images": images, "task": a.task,
                    "inference_delay_steps": a.delay if (a.rtc or a.follow >= 0) else 0,
                    "prefix_model": tensor(pm) if pm is not None else None, "prefix_robot": tensor(pr) if pr is not None else None,
                    "episode_start": seq == 1}
            mono = time.monotonic_ns()
            pub.put(msgpack.packb(body, use_bin_type=True), attachment=HEADER.pack(1, 1, seq, episode, mono, 1))
            if a.raw_obs_only:
                time.sleep(0.1)
                continue
            deadline = time.monotonic() + a.timeout
            with got:
                while not any(hd[2] == seq for hd, _ in chunks):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        out({"event": "error", "message": f"no chunk for seq {seq}"})
                        return 1
                    got.wait(remaining)
                hd, body = next((hd, b) for hd, b in chunks if hd[2] == seq)
            cm, cr = from_tensor(body.get("chunk_model")), from_tensor(body.get("chunk_robot"))
            sent = pm.tolist() if pm is not None else None
            previous = (cm, cr)
            out({"event": "chunk", "seq": seq, "header": list(hd), "seq_id_echo": body.get("seq_id_echo"),
                 "episode_id_echo": body.get("episode_id_echo"), "client_mono_ns_echo": body.get("client_mono_ns_echo"),
                 "mono_sent": mono, "prefix_model": sent, "chunk_model": cm.tolist(), "chunk_robot": cr.tolist(),
                 "superseded_seqs": body.get("superseded_seqs"), "server_load": body.get("server_load"),
                 "queue_wait_ms": body.get("queue_wait_ms"), "inference_ms": body.get("inference_ms")})
        if a.close:
            rr = [r.ok for r in session.get(f"{prefix}/session", payload=msgpack.packb(
                {"op": "close", "client_uuid": uid, "session_id": ""}, use_bin_type=True), timeout=a.timeout) if r.ok is not None]
            out({"event": "close_ack", **(msgpack.unpackb(rr[0].payload.to_bytes(), raw=False) if rr else {"ok": None})})
        out({"event": "done"})
        return 0
    finally:
        session.close()


if __name__ == "__main__":
    sys.exit(main())
