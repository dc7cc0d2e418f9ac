#!/usr/bin/env python3
"""Zenoh round-trip and throughput with the Rust implementation (Python API), the counterpart of
`zenoh-swift ping|pong|pub-thr|sub-thr` in the same benchmark run.

  (-e ENDPOINT to connect, -l ENDPOINT to listen, -m client|peer, --tls-ca/--tls-cert/--tls-key/--tls-mtls)
  zenoh_bench.py -e ENDPOINT pong                       echoes test/ping → test/pong until stdin closes
  zenoh_bench.py -e ENDPOINT ping -s SIZE -n COUNT      prints {"size", "n", "p50_us", "p99_us", "mean_us", "open_ms"}
  zenoh_bench.py -e ENDPOINT pub-thr -s SIZE            publishes test/thr as fast as it can until stdin closes
  zenoh_bench.py -e ENDPOINT sub-thr -s SIZE -n COUNT   prints {"size", "n", "msgs_per_s", "mb_per_s"}
"""
import argparse
import json
import sys
import threading
import time

import zenoh


def open_session(a):
    conf = zenoh.Config()
    conf.insert_json5("mode", json.dumps(a.mode))
    # Rust Zenoh moves large payloads through shared memory when both ends are on one host; our Swift
    # implementation speaks TCP only, so the like-for-like comparison turns that off (--shm turns it on).
    conf.insert_json5("transport/shared_memory/enabled", "true" if a.shm else "false")
    conf.insert_json5("scouting/multicast/enabled", "false")
    if a.connect:
        conf.insert_json5("connect/endpoints", json.dumps(a.connect))
    if a.listen:
        conf.insert_json5("listen/endpoints", json.dumps(a.listen))
    if a.tls_ca:
        tls = {"root_ca_certificate": a.tls_ca, "enable_mtls": a.tls_mtls}
        if a.tls_cert:
            tls.update(listen_certificate=a.tls_cert, connect_certificate=a.tls_cert,
                       listen_private_key=a.tls_key, connect_private_key=a.tls_key)
        for key, value in tls.items():
            conf.insert_json5("transport/link/tls/" + key, json.dumps(value))
    return zenoh.open(conf)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-e", "--connect", action="append", default=[])
    p.add_argument("-l", "--listen", action="append", default=[])
    p.add_argument("-m", "--mode", default="client")
    p.add_argument("--tls-ca", default=None)
    p.add_argument("--tls-cert", default=None, help="listen and connect certificate (PEM)")
    p.add_argument("--tls-key", default=None)
    p.add_argument("--tls-mtls", action="store_true")
    p.add_argument("cmd", choices=["ping", "pong", "pub-thr", "sub-thr"])
    p.add_argument("-s", "--size", type=int, default=64)
    p.add_argument("-n", "--count", type=int, default=1000)
    p.add_argument("-w", "--warmup", type=int, default=50)
    p.add_argument("--shm", action="store_true", help="let Rust use shared memory (its default on one host)")
    a = p.parse_args()
    opening = time.perf_counter()
    session = open_session(a)
    open_ms = (time.perf_counter() - opening) * 1000
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    block = zenoh.CongestionControl.BLOCK
    if a.cmd == "pong":
        pub = session.declare_publisher("test/pong", congestion_control=block, express=True)
        sub = session.declare_subscriber("test/ping", lambda s: pub.put(s.payload))
        print("READY", flush=True)
        stop.wait()
    elif a.cmd == "ping":
        got = threading.Event()
        sub = session.declare_subscriber("test/pong", lambda s: got.set())
        pub = session.declare_publisher("test/ping", congestion_control=block, express=True)
        payload = bytes(a.size)
        time.sleep(0.5)  # let the declarations reach the router
        samples = []
        for i in range(a.warmup + a.count):
            got.clear()
            t0 = time.perf_counter_ns()
            pub.put(payload)
            if not got.wait(5):
                print(json.dumps({"error": f"no pong within 5 s (message {i})"}), flush=True)
                return 1
            if i >= a.warmup:
                samples.append((time.perf_counter_ns() - t0) / 1000)
        samples.sort()
        print(json.dumps({"impl": "rust-python" + ("-shm" if a.shm else ""), "size": a.size, "n": len(samples),
                          "p50_us": round(samples[len(samples) // 2], 1),
                          "p99_us": round(samples[min(len(samples) - 1, len(samples) * 99 // 100)], 1),
                          "mean_us": round(sum(samples) / len(samples), 1), "open_ms": round(open_ms, 2)}), flush=True)
    elif a.cmd == "pub-thr":
        pub = session.declare_publisher("test/thr", congestion_control=block)
        payload = bytes(a.size)
        print("READY", flush=True)
        while not stop.is_set():
            pub.put(payload)
    elif a.cmd == "sub-thr":
        state = {"n": 0, "start": None, "end": None}
        done = threading.Event()

        def on_sample(_):
            state["n"] += 1
            if state["n"] == a.warmup:
                state["start"] = time.perf_counter()
            elif state["n"] == a.warmup + a.count:
                state["end"] = time.perf_counter()
                done.set()
        sub = session.declare_subscriber("test/thr", on_sample)
        print("READY", flush=True)
        if not done.wait(120):
            print(json.dumps({"error": f"only {state['n']} messages within 120 s"}), flush=True)
            return 1
        seconds = state["end"] - state["start"]
        print(json.dumps({"impl": "rust-python" + ("-shm" if a.shm else ""), "size": a.size, "n": a.count,
                          "msgs_per_s": round(a.count / seconds, 1),
                          "mb_per_s": round(a.count * a.size / seconds / 1e6, 2)}), flush=True)
    session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
