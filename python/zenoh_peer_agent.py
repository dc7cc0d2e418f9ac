#!/usr/bin/env python3
"""One real (Rust) Zenoh session with every primitive, driven line by line from stdin: the counterpart of the
peer-mode interop matrix (a test fixture).

The session (mode and endpoints as for zenoh_tool.py) declares, under the prefix NAME (default `rust`):
  subscriber            matrix/**               prints {"event": "sample", "key", "kind", "length", "pattern", "payload"}
  queryable             matrix/q/NAME/**        replies "NAME-reply" (hex payload "…") on the query's key
  liveliness token      matrix/live/NAME
  liveliness subscriber matrix/live/** (history)  prints {"event": "live", "kind", "key"}
then prints READY. Commands (one per line; each prints {"event": "done", "command": …} when finished):
  put KEY HEX          session.put
  pubput KEY HEX       put through a declared publisher (which sends an Interest in client mode)
  big KEY SIZE         put SIZE bytes of the pattern (byte i = i % 251)
  get SELECTOR         prints {"event": "reply", "key", "payload"} per reply
  lget KEY             liveliness get: {"event": "token", "key"} per token
  untoken              undeclare the token
  exit
"""
import argparse
import json
import sys
import threading

import zenoh

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from zenoh_tool import open_session, pattern  # noqa: E402

LOCK = threading.Lock()


def out(obj):
    """One whole line per call, under a lock: callbacks print from Zenoh's threads."""
    with LOCK:
        sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
        sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-m", "--mode", default="peer")
    p.add_argument("-e", "--connect", action="append", default=[])
    p.add_argument("-l", "--listen", action="append", default=[])
    p.add_argument("--tls-ca", default=None)
    p.add_argument("--tls-cert", default=None)
    p.add_argument("--tls-key", default=None)
    p.add_argument("--tls-mtls", action="store_true")
    p.add_argument("--tls-no-verify-name", action="store_true")
    p.add_argument("--name", default="rust")
    args = p.parse_args()
    zenoh.init_log_from_env_or("error")
    session = open_session(args)
    name = args.name

    def on_sample(sample):
        data = sample.payload.to_bytes()
        out({"event": "sample", "key": str(sample.key_expr),
             "kind": "PUT" if sample.kind == zenoh.SampleKind.PUT else "DELETE", "length": len(data),
             "pattern": data == pattern(len(data)), "payload": data.hex() if len(data) <= 256 else None})

    def on_query(query):
        query.reply(query.key_expr, f"{name}-reply".encode())

    def on_live(sample):
        out({"event": "live", "kind": "PUT" if sample.kind == zenoh.SampleKind.PUT else "DELETE",
             "key": str(sample.key_expr)})

    keep = [
        session.declare_subscriber("matrix/**", on_sample),
        session.declare_queryable(f"matrix/q/{name}/**", on_query),
        session.liveliness().declare_subscriber("matrix/live/**", on_live, history=True),
    ]
    token = session.liveliness().declare_token(f"matrix/live/{name}")
    publishers = {}
    out("READY")
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        command = parts[0]
        if command == "exit":
            break
        if command == "put":
            session.put(parts[1], bytes.fromhex(parts[2]) if len(parts) > 2 else b"")
        elif command == "pubput":
            publisher = publishers.get(parts[1]) or session.declare_publisher(parts[1])
            publishers[parts[1]] = publisher
            publisher.put(bytes.fromhex(parts[2]) if len(parts) > 2 else b"")
        elif command == "big":
            session.put(parts[1], pattern(int(parts[2])), congestion_control=zenoh.CongestionControl.BLOCK)
        elif command == "get":
            for reply in session.get(parts[1], timeout=5.0):
                if reply.ok is not None:
                    out({"event": "reply", "key": str(reply.ok.key_expr), "payload": reply.ok.payload.to_bytes().hex()})
                else:
                    out({"event": "reply-error", "payload": reply.err.payload.to_bytes().hex()})
        elif command == "lget":
            for reply in session.liveliness().get(parts[1], timeout=5.0):
                if reply.ok is not None:
                    out({"event": "token", "key": str(reply.ok.key_expr)})
        elif command == "untoken":
            token.undeclare()
        else:
            out({"event": "error", "message": f"unknown command {command}"})
            continue
        out({"event": "done", "command": command})
    del keep
    session.close()


if __name__ == "__main__":
    main()
