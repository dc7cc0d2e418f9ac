#!/usr/bin/env python3
"""Real (Rust) Zenoh from Python, for interop tests and benchmarks: a router and the standard primitives.

Every command prints machine-readable lines on stdout and flushes each one:
  READY                               once the session is open and the entity declared
  {"kind": "PUT"|"DELETE", "key": ..., "payload": hex, "attachment": hex|null, "encoding": str}
  {"reply": "ok"|"err", ...same fields}   for get replies;   DONE   when a command has finished

  zenoh_tool.py router --listen tcp/127.0.0.1:PORT
  zenoh_tool.py [common] sub -k KEY [--count N] [--pattern]
  zenoh_tool.py [common] put -k KEY -p HEXPAYLOAD [-a HEXATTACH] [--encoding E] [--publisher]
                               [--priority 1-7] [--express] [--block] [--size N] [--repeat N]
  zenoh_tool.py [common] delete -k KEY [-a HEXATTACH]
  zenoh_tool.py [common] get -k SELECTOR [-p HEX] [-a HEX] [--timeout S]
  zenoh_tool.py [common] queryable -k KEY [-p HEX] [-a HEX] [--count N]
  zenoh_tool.py [common] token -k KEY
  zenoh_tool.py [common] liveliness-sub -k KEY [--history] [--count N]
  zenoh_tool.py [common] liveliness-get -k KEY [--timeout S]
  zenoh_tool.py keyexpr FILE.json      prints [[intersects, includes], ...] for [[a, b], ...] pairs
common: -m client|peer|router  -e ENDPOINT (connect, repeatable)  -l ENDPOINT (listen, repeatable)
        --tls-ca PEM --tls-cert PEM --tls-key PEM [--tls-mtls] [--tls-no-verify-name]
Commands run until their --count is reached or stdin closes (tests close it to stop them).
"""
import argparse
import json
import sys
import threading

import zenoh


def out(obj):
    sys.stdout.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    sys.stdout.flush()


def hexbytes(z):
    return None if z is None else z.to_bytes().hex()


PRIORITY_NAMES = ["CONTROL", "REAL_TIME", "INTERACTIVE_HIGH", "INTERACTIVE_LOW", "DATA_HIGH", "DATA", "DATA_LOW",
                  "BACKGROUND"]


def priority_number(priority):
    """Zenoh's wire number (1 real time ... 7 background) of a `zenoh.Priority`."""
    for number, name in enumerate(PRIORITY_NAMES):
        if hasattr(zenoh.Priority, name) and getattr(zenoh.Priority, name) == priority:
            return number
    return -1


ARGS = None  # the parsed command line (sample_json reads --pattern)


def pattern(size):
    """The generated payload of `--size`: byte i is i % 251 (a prime, so no power-of-two alignment hides bugs)."""
    return (bytes(range(251)) * (size // 251 + 1))[:size]


def sample_json(sample, **extra):
    if getattr(ARGS, "pattern", False):
        data = sample.payload.to_bytes()
        d = {"kind": "PUT" if sample.kind == zenoh.SampleKind.PUT else "DELETE", "key": str(sample.key_expr),
             "length": str(len(data)), "pattern": str(data == pattern(len(data)))}
        d.update(extra)
        return d
    d = {"kind": "PUT" if sample.kind == zenoh.SampleKind.PUT else "DELETE", "key": str(sample.key_expr),
         "payload": hexbytes(sample.payload), "attachment": hexbytes(sample.attachment),
         "encoding": str(sample.encoding), "priority": str(priority_number(sample.priority)), "express": str(sample.express)}
    d.update(extra)
    return d


def open_session(args):
    conf = zenoh.Config()
    conf.insert_json5("mode", json.dumps(args.mode))
    conf.insert_json5("scouting/multicast/enabled", "false")
    if args.connect:
        conf.insert_json5("connect/endpoints", json.dumps(args.connect))
    if args.listen:
        conf.insert_json5("listen/endpoints", json.dumps(args.listen))
    tls = {}
    if args.tls_ca:
        tls["root_ca_certificate"] = args.tls_ca
    if args.tls_cert:
        tls["listen_certificate"] = tls["connect_certificate"] = args.tls_cert
    if args.tls_key:
        tls["listen_private_key"] = tls["connect_private_key"] = args.tls_key
    if args.tls_mtls:
        tls["enable_mtls"] = True
    if args.tls_no_verify_name:
        tls["verify_name_on_connect"] = False
    for key, value in tls.items():
        conf.insert_json5("transport/link/tls/" + key, json.dumps(value))
    return zenoh.open(conf)


def wait_stdin_or(event):
    """Blocks until stdin closes or `event` is set."""
    def reader():
        sys.stdin.read()
        event.set()
    threading.Thread(target=reader, daemon=True).start()
    event.wait()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-m", "--mode", default="client")
    p.add_argument("-e", "--connect", action="append", default=[])
    p.add_argument("-l", "--listen", action="append", default=[])
    p.add_argument("--tls-ca", default=None, help="root_ca_certificate (PEM file)")
    p.add_argument("--tls-cert", default=None, help="listen_certificate and connect_certificate (PEM file)")
    p.add_argument("--tls-key", default=None, help="listen_private_key and connect_private_key (PEM file)")
    p.add_argument("--tls-mtls", action="store_true", help="enable_mtls")
    p.add_argument("--tls-no-verify-name", action="store_true", help="verify_name_on_connect: false")
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("router")
    r.add_argument("--listen", dest="router_listen", action="append", required=True)
    for name in ["sub", "put", "delete", "get", "queryable", "token", "liveliness-sub", "liveliness-get"]:
        c = sub.add_parser(name)
        c.add_argument("-k", "--key", required=True)
        c.add_argument("-p", "--payload", default="")
        c.add_argument("-a", "--attach", default=None)
        c.add_argument("--encoding", default=None)
        c.add_argument("--count", type=int, default=0)
        c.add_argument("--timeout", type=float, default=5.0)
        c.add_argument("--history", action="store_true")
        c.add_argument("--publisher", action="store_true")
        c.add_argument("--priority", type=int, default=None, help="1 (real time) ... 7 (background)")
        c.add_argument("--express", action="store_true")
        c.add_argument("--block", action="store_true", help="congestion control BLOCK instead of DROP")
        c.add_argument("--size", type=int, default=None,
                       help="put a generated payload of this many bytes: byte i is i %% 251")
        c.add_argument("--pattern", action="store_true",
                       help="sub: print the payload's length and whether it is the --size pattern, not its hex")
        c.add_argument("--repeat", type=int, default=1, help="put this many times (payload suffixed with the index)")
    k = sub.add_parser("keyexpr")
    k.add_argument("file")
    global ARGS
    args = ARGS = p.parse_args()

    if args.cmd == "keyexpr":
        pairs = json.load(open(args.file))
        out(json.dumps([[zenoh.KeyExpr(a).intersects(zenoh.KeyExpr(b)), zenoh.KeyExpr(a).includes(zenoh.KeyExpr(b))]
                        for a, b in pairs]))
        return 0
    if args.cmd == "router":
        args.mode, args.listen = "router", args.router_listen
    session = open_session(args)
    done = threading.Event()
    attach = bytes.fromhex(args.attach) if getattr(args, "attach", None) is not None else None
    payload = bytes.fromhex(getattr(args, "payload", "") or "")
    if getattr(args, "size", None) is not None:
        payload = pattern(args.size)
    seen = [0]

    def counted(line):
        out(line)
        seen[0] += 1
        if args.count and seen[0] >= args.count:
            done.set()

    keep = []  # Python undeclares entities that are garbage-collected: keep references
    if args.cmd == "router":
        out("READY")
        wait_stdin_or(done)
    elif args.cmd == "sub":
        keep.append(session.declare_subscriber(args.key, lambda s: counted(sample_json(s))))
        out("READY")
        wait_stdin_or(done)
    elif args.cmd in ("put", "delete"):
        kwargs = {}
        if attach is not None:
            kwargs["attachment"] = attach
        if args.priority is not None:
            kwargs["priority"] = getattr(zenoh.Priority, PRIORITY_NAMES[args.priority])
        if args.express:
            kwargs["express"] = True
        if args.block:
            kwargs["congestion_control"] = zenoh.CongestionControl.BLOCK
        if args.cmd == "put":
            if args.encoding:
                kwargs["encoding"] = args.encoding
            pub = session.declare_publisher(args.key, **{k: v for k, v in kwargs.items()
                                                          if k in ("priority", "express", "congestion_control")}) if args.publisher else None
            for i in range(args.repeat):
                body = payload if args.repeat == 1 else payload + str(i).encode()
                if pub is not None:
                    pub.put(body, **{k: v for k, v in kwargs.items() if k not in ("priority", "express", "congestion_control")})
                else:
                    session.put(args.key, body, **kwargs)
        else:
            session.delete(args.key, **kwargs)
        out("DONE")
    elif args.cmd == "get":
        kwargs = {"timeout": args.timeout}
        if payload:
            kwargs["payload"] = payload
        if attach is not None:
            kwargs["attachment"] = attach
        for reply in session.get(args.key, **kwargs):
            if reply.ok is not None:
                out(sample_json(reply.ok, reply="ok"))
            else:
                out({"reply": "err", "payload": hexbytes(reply.err.payload), "encoding": str(reply.err.encoding)})
        out("DONE")
    elif args.cmd == "queryable":
        def on_query(q):
            counted({"query": str(q.selector), "payload": hexbytes(q.payload), "attachment": hexbytes(q.attachment)})
            kwargs = {"attachment": attach} if attach is not None else {}
            q.reply(args.key if "*" not in args.key else str(q.key_expr), payload, **kwargs)
        keep.append(session.declare_queryable(args.key, on_query))
        out("READY")
        wait_stdin_or(done)
    elif args.cmd == "token":
        keep.append(session.liveliness().declare_token(args.key))
        out("READY")
        wait_stdin_or(done)
    elif args.cmd == "liveliness-sub":
        keep.append(session.liveliness().declare_subscriber(args.key, lambda s: counted(sample_json(s)),
                                                             history=args.history))
        out("READY")
        wait_stdin_or(done)
    elif args.cmd == "liveliness-get":
        for reply in session.liveliness().get(args.key, timeout=args.timeout):
            if reply.ok is not None:
                out(sample_json(reply.ok, reply="ok"))
        out("DONE")
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
