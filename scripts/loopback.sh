# Sourced by scripts/demo and scripts/bench-edge: a lerobot-policy-server with the built-in mock policy (or $MODEL) on
# 127.0.0.1, stopped on exit. TOPOLOGY=peer: the server listens in peer mode and robots connect to it directly
# (no router); TOPOLOGY=router (the default here): a local Rust Zenoh router from .venv between them.
# Needs: $bin (the build's bin path), $TASK; SERVER_BIN runs another build of the server (before/after comparisons). Sets: $endpoint (where robots connect), $robot_mode
# (--inference.zenoh_mode for robots), $work.

work=$(mktemp -d)
router_pid="" server_pid=""
loopback_cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
    exec 3>&- 2>/dev/null || true   # closing the router's stdin stops it
    [ -n "$router_pid" ] && wait "$router_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap loopback_cleanup EXIT

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
endpoint="tcp/127.0.0.1:$port"
if [ "${TOPOLOGY:-router}" = peer ]; then
    robot_mode=peer
    zenoh_flags=(--zenoh.mode=peer --zenoh.listen_endpoints="[\"$endpoint\"]")
else
    robot_mode=client
    zenoh_flags=(--zenoh.connect_endpoints="[\"$endpoint\"]")
    mkfifo "$work/router.in"
    .venv/bin/python python/zenoh_tool.py router --listen "$endpoint" < "$work/router.in" > "$work/router.log" 2>&1 &
    router_pid=$!
    exec 3> "$work/router.in"
    for _ in $(seq 100); do grep -q READY "$work/router.log" 2>/dev/null && break; sleep 0.1; done
    grep -q READY "$work/router.log" || { cat "$work/router.log" >&2; echo "the router did not start" >&2; exit 1; }
fi

# Starts the server (again) and waits for its ready line.
start_server() {
    : > "$work/server.out"
    "${SERVER_BIN:-$bin/lerobot-policy-server}" --model.repo_or_path="${MODEL:-examples/mock_policy}" --model.device="${DEVICE:-cpu}" --default_task="$TASK" --health_port=0 \
        "${zenoh_flags[@]}" > "$work/server.out" 2>> "$work/server.err" &
    server_pid=$!
    for _ in $(seq 300); do grep -q "Policy server up" "$work/server.out" 2>/dev/null && break; sleep 0.1; done
    grep -q "Policy server up" "$work/server.out" || { cat "$work/server.err" >&2; echo "the server did not start" >&2; exit 1; }
}
start_server
