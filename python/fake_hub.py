#!/usr/bin/env python3
"""A small stand-in for the Hugging Face Hub HTTP API on loopback, for download tests.

  fake_hub.py ROOT [--token T]

Serves every directory ROOT/<org>/<name> as repo `org/name` at revision `main` (commit sha = sha1 of the
repo id), with the two endpoints the download client uses:
  GET /api/models/<org>/<name>/revision/<rev>      {"sha": ..., "siblings": [{"rfilename": ...}]}
  GET /<org>/<name>/resolve/<rev>/<path>           the file, with ETag and Content-Length
With --token, requests without `Authorization: Bearer T` get 401. Prints `READY <port>` once listening and
one `GET <path>` line per request.
"""
import hashlib
import http.server
import json
import os
import sys
import threading
from pathlib import Path

ROOT = Path(sys.argv[1])
TOKEN = sys.argv[sys.argv.index("--token") + 1] if "--token" in sys.argv else None


def commit(repo):
    return hashlib.sha1(repo.encode()).hexdigest()


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        print(f"GET {self.path}", flush=True)
        if TOKEN and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.send(401, b'{"error": "unauthorized"}')
        parts = self.path.strip("/").split("/")
        if len(parts) >= 6 and parts[0] == "api" and parts[1] == "models" and parts[4] == "revision":
            repo = f"{parts[2]}/{parts[3]}"
            directory = ROOT / parts[2] / parts[3]
            if not directory.is_dir() or parts[5] not in ("main", commit(repo)):
                return self.send(404, b'{"error": "not found"}')
            files = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
            body = json.dumps({"id": repo, "sha": commit(repo), "siblings": [{"rfilename": f} for f in files]})
            return self.send(200, body.encode(), {"Content-Type": "application/json"})
        if len(parts) >= 5 and parts[2] == "resolve":
            repo = f"{parts[0]}/{parts[1]}"
            path = ROOT / parts[0] / parts[1] / "/".join(parts[4:])
            if parts[3] not in ("main", commit(repo)) or not path.is_file():
                return self.send(404)
            data = path.read_bytes()
            return self.send(200, data, {"ETag": '"' + hashlib.sha256(data).hexdigest() + '"',
                                         "Content-Type": "application/octet-stream"})
        self.send(404)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"READY {server.server_address[1]}", flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()
