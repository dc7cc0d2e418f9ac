#!/usr/bin/env python3
"""A LeRobot remote-inference policy SERVER written from the protocol (eclipse-zenoh + msgpack + numpy).

A test fixture and a readable reference of the server half of the wire contract — not our server: it serves the
built-in `mock` policy of a checkpoint's config.json (chunk_model[t][j] = state[j] + 0.01·t, chunk_robot = 2 ×
chunk_model) so that our robot can be checked against a server that is not Swift.

  lerobot_server.py (-e ENDPOINT | -l ENDPOINT) --model DIR [--revision R] [--task T] [--max-sessions N]
                    [--horizon H] [--no-rtc] [--images-dir DIR]

-e dials a router (client mode), -l listens (peer mode: robots connect directly). Prints READY when serving and
one JSON line per served request: {"event": "served", "client": uuid, "seq": n, "episode": e, "delay": d,
"prefix_rows": p}. With --images-dir every received image is decoded as a Python server decodes it (Pillow, RGB) and
kept there: `<seq>_<feature>.jpg` (the bytes as they arrived; JPEG only), `<seq>_<feature>.rgb` (H×W×3 uint8 pixels)
and `<seq>_<feature>.json` (codec, height, width); the served line then lists the image features.
"""
import argparse
import io
import json
import os
import re
import struct
import sys
import threading
import time
import uuid as uuidlib

import msgpack
import numpy as np
import zenoh

HEADER = struct.Struct("<HBQIqI")  # schema, msg type, seq, episode, client monotonic ns, session epoch
SCHEMA = 1
OBS, CHUNK = 1, 2
RESERVED = {"status", "session", "server", "obs", "action", "reset", "alive"}
LOCK = threading.Lock()


def out(obj):
    with LOCK:
        sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
        sys.stdout.flush()


def seg(s):
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", s.strip()).strip("-.")
    if not s or s in RESERVED:
        raise ValueError(f"bad key segment {s!r}")
    return s


def tensor(arr):
    arr = np.ascontiguousarray(arr, dtype=np.float32)
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.tobytes()}


def from_tensor(t):
    if t is None:
        return None
    array = np.frombuffer(t["data"], dtype=np.dtype(t["dtype"]))
    if array.size != int(np.prod(t["shape"])):
        raise ValueError("tensor data does not match its shape")
    return array.reshape(t["shape"]).astype(np.float32)


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


class Server:
    def __init__(self, a):
        with open(os.path.join(a.model, "config.json")) as f:
            self.config = json.load(f)
        if self.config.get("type") != "mock":
            raise SystemExit(f"only the mock policy is served, not {self.config.get('type')!r}")
        self.a = a
        self.prefix = f"@lerobot/{seg(a.model)}/{seg(a.revision)}/{seg(a.task or 'default')}"
        self.names = self.config.get("action_feature_names", [])
        self.chunk_size = self.config.get("chunk_size", 50)
        features = self.config.get("input_features", {})
        self.cameras = [k for k, v in features.items() if v.get("type") == "VISUAL"]
        self.state_dim = features.get("observation.state", {}).get("shape", [0])[0]
        self.rtc = not a.no_rtc and self.config.get("mock_supports_rtc", True)
        self.sessions = {}  # uuid → {"id", "rtc", "episode", "mailbox", "publisher"}
        self.ready = threading.Condition()
        self.stopping = False

    def capabilities(self):
        return {"model_repo": self.a.model, "model_revision": self.a.revision, "policy_type": "mock",
                "action_names": self.names, "expected_cameras": self.cameras, "state_dim": self.state_dim,
                "chunk_size": self.chunk_size, "trained_fps": 30.0, "supports_rtc": self.rtc,
                "rtc_execution_horizon": self.a.horizon, "serving_mode": "shared", "warmed_up": True}

    def on_status(self, query):
        body = self.capabilities()
        body.update(min_schema_version=SCHEMA, max_schema_version=SCHEMA, active_sessions=len(self.sessions),
                    max_sessions=self.a.max_sessions)
        query.reply(query.key_expr, pack(body))

    def on_session(self, query):
        raw = query.payload.to_bytes() if query.payload is not None else b""
        msg = msgpack.unpackb(raw, raw=False) if raw else {}
        uid = msg.get("client_uuid", "")
        if msg.get("op", "open") == "close":
            with self.ready:
                session = self.sessions.get(uid)
                if session and msg.get("session_id") in ("", None, session["id"]):
                    del self.sessions[uid]
            query.reply(query.key_expr, pack({"ok": True, "error": ""}))
            return
        ack = {"accepted": False, "error": "", "warnings": []}
        if not SCHEMA <= msg.get("schema_version", 0) <= SCHEMA:
            ack["error"] = f"schema_version {msg.get('schema_version')} outside supported range [{SCHEMA}, {SCHEMA}]"
        elif uid not in self.sessions and len(self.sessions) >= self.a.max_sessions:
            ack["error"] = f"server full: {len(self.sessions)}/{self.a.max_sessions} sessions active"
        elif self.names and msg.get("action_names") != self.names:
            ack["error"] = ("action feature names/order mismatch — refusing to map chunk columns to motors. "
                            f"server={self.names} client={msg.get('action_names')}")
        else:
            wants_rtc = bool(msg.get("rtc_enabled"))
            if wants_rtc and not self.rtc:
                ack["warnings"].append(
                    "RTC requested but this server/policy does not support it — downgrading to chunk-append")
            session = {"id": uuidlib.uuid4().hex, "rtc": wants_rtc and self.rtc, "episode": -1, "mailbox": None,
                       "publisher": self.zenoh.declare_publisher(
                           f"{self.prefix}/{seg(uid)}/action", congestion_control=zenoh.CongestionControl.DROP,
                           priority=zenoh.Priority.INTERACTIVE_HIGH, express=True)}
            with self.ready:
                self.sessions[uid] = session
            ack.update(accepted=True, session_id=session["id"])
            ack.update(self.capabilities())
            ack["supports_rtc"] = session["rtc"]
        ack.update(schema_version=SCHEMA, server_load=len(self.sessions) / self.a.max_sessions)
        query.reply(query.key_expr, pack(ack))

    def on_reset(self, query):
        msg = msgpack.unpackb(query.payload.to_bytes(), raw=False)
        with self.ready:
            session = self.sessions.get(msg.get("client_uuid", ""))
            if session is None:
                reply = {"ok": False, "error": f"unknown client '{msg.get('client_uuid', '')}'"}
            else:
                session["episode"] = msg.get("episode_id", session["episode"])
                reply = {"ok": True, "error": ""}
        query.reply(query.key_expr, pack(reply))

    def on_obs(self, sample):
        attachment = sample.attachment.to_bytes() if sample.attachment is not None else b""
        if len(attachment) != HEADER.size:
            return
        header = HEADER.unpack(attachment)
        if header[0] != SCHEMA or header[1] != OBS:
            return
        uid = str(sample.key_expr).split("/")[-2]
        with self.ready:
            session = self.sessions.get(uid)
            if session is None:
                return
            session["mailbox"] = (header, sample.payload.to_bytes(), time.monotonic())
            self.ready.notify()

    def worker(self):
        """One worker owns the policy: serves the ready sessions round-robin, newest observation only."""
        last = ""
        while True:
            with self.ready:
                while not self.stopping and not any(s["mailbox"] for s in self.sessions.values()):
                    self.ready.wait(0.5)
                if self.stopping:
                    return
                ready = sorted(u for u, s in self.sessions.items() if s["mailbox"])
                uid = next((u for u in ready if u > last), ready[0])
                session = self.sessions[uid]
                header, payload, received = session["mailbox"]
                session["mailbox"] = None
            last = uid
            try:
                self.serve(uid, session, header, payload, received)
            except Exception as error:  # an error publishes nothing: the robot times out
                out({"event": "error", "client": uid, "message": str(error)})

    def serve(self, uid, session, header, payload, received):
        _, _, seq, episode, client_ns, epoch = header
        started = time.monotonic()
        obs = msgpack.unpackb(payload, raw=False)
        if obs.get("episode_start") or episode != session["episode"]:
            session["episode"] = episode
        state = from_tensor(obs.get("state"))
        if state is None:
            state = np.zeros(len(self.names), dtype=np.float32)
        steps = np.arange(self.chunk_size, dtype=np.float32)[:, None] * np.float32(0.01)
        chunk_model = state[None, :] + steps
        prefix = from_tensor(obs.get("prefix_model")) if session["rtc"] else None
        images = self.keep_images(seq, obs.get("images") or {})
        body = {"seq_id_echo": seq, "client_mono_ns_echo": client_ns, "episode_id_echo": episode,
                "chunk_model": tensor(chunk_model), "chunk_robot": tensor(chunk_model * 2),
                "queue_wait_ms": (started - received) * 1000, "inference_ms": (time.monotonic() - started) * 1000,
                "superseded_seqs": 0, "server_load": len(self.sessions) / self.a.max_sessions}
        session["publisher"].put(pack(body), attachment=HEADER.pack(SCHEMA, CHUNK, seq, episode, client_ns, epoch))
        out({"event": "served", "client": uid, "seq": seq, "episode": episode,
             "delay": max(0, obs.get("inference_delay_steps", 0)) if session["rtc"] else 0,
             "prefix_rows": 0 if prefix is None else int(prefix.shape[0]), "images": images})

    def keep_images(self, seq, images):
        """Decodes every image as a Python server would (Pillow → RGB uint8 HWC) and, with --images-dir, keeps it."""
        if not self.a.images_dir:
            return sorted(images)
        from PIL import Image
        for key, image in images.items():
            codec, data = image.get("codec", "jpeg"), image["data"]
            if codec == "jpeg":
                pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.uint8)
            else:
                pixels = np.frombuffer(data, dtype=np.uint8).reshape(image["shape"])
            base = os.path.join(self.a.images_dir, f"{seq}_{key}")
            if codec == "jpeg":
                with open(base + ".jpg", "wb") as f:
                    f.write(data)
            with open(base + ".rgb", "wb") as f:
                f.write(pixels.tobytes())
            with open(base + ".json", "w") as f:
                json.dump({"codec": codec, "height": pixels.shape[0], "width": pixels.shape[1]}, f)
        return sorted(images)

    def run(self):
        conf = zenoh.Config()
        conf.insert_json5("mode", json.dumps("peer" if self.a.listen else "client"))
        conf.insert_json5("scouting/multicast/enabled", "false")
        if self.a.connect:
            conf.insert_json5("connect/endpoints", json.dumps([self.a.connect]))
        if self.a.listen:
            conf.insert_json5("listen/endpoints", json.dumps([self.a.listen]))
        self.zenoh = zenoh.open(conf)
        keep = [
            self.zenoh.declare_queryable(f"{self.prefix}/status", self.on_status),
            self.zenoh.declare_queryable(f"{self.prefix}/session", self.on_session),
            self.zenoh.declare_queryable(f"{self.prefix}/*/reset", self.on_reset),
            self.zenoh.declare_subscriber(f"{self.prefix}/*/obs", self.on_obs),
            self.zenoh.liveliness().declare_token(f"{self.prefix}/server/alive"),
        ]
        worker = threading.Thread(target=self.worker, daemon=True)
        worker.start()
        out("READY")
        sys.stdin.read()  # runs until stdin closes
        with self.ready:
            self.stopping = True
            self.ready.notify_all()
        worker.join(5)
        del keep
        self.zenoh.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-e", "--connect", default=None, help="a router to dial (client mode)")
    p.add_argument("-l", "--listen", default=None, help="an endpoint to listen on (peer mode)")
    p.add_argument("--model", required=True, help="checkpoint directory; its path is also the service model id")
    p.add_argument("--revision", default="main")
    p.add_argument("--task", default="")
    p.add_argument("--max-sessions", type=int, default=4)
    p.add_argument("--horizon", type=int, default=10, help="rtc.execution_horizon")
    p.add_argument("--no-rtc", action="store_true")
    p.add_argument("--images-dir", default=None, help="decode every received image with Pillow and keep it here")
    a = p.parse_args()
    if not a.connect and not a.listen:
        p.error("give -e ROUTER or -l ENDPOINT")
    Server(a).run()


if __name__ == "__main__":
    main()
