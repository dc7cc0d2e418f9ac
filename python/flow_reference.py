#!/usr/bin/env python3
"""numpy reference of the flow-matching Euler sampler with RTC guidance (a test fixture).

Written from the specification of LeRobot's sampler (flow time 1 → 0 in N Euler steps of −1/N, guided velocity
v − g(t)·W ⊙ (Y − (x − t·v)) with the prefix zero-padded to the chunk), independently of the Swift code it
checks. Reads a JSON case from the file named by its argument, prints the sampled chunks as a JSON list.

Case: {"steps", "chunk", "dim", "noise": [B*T*D], "matrix": [D*D], "bias": [D],
       "guidance": [null | {"prefix": [P*A], "rows": P, "cols": A, "delay", "horizon", "schedule", "max_g"}]}
The velocity field is v(x, t) = x @ matrix + t · bias (per row), plus tanh(cache @ cache_matrix) per robot when
the case has "cache" ([B*K]) and "cache_matrix" ([K*D]) — the tiny velocity graph of flow_fixture.py.
"""
import json
import sys

import numpy as np


def prefix_weights(schedule, start, end, total):
    if start > total:
        return np.ones(total, dtype=np.float32)
    s = min(start, end)
    if schedule == "ZEROS":
        w = np.zeros(total, dtype=np.float32)
        w[:min(s, total)] = 1
        return w
    if schedule == "ONES":
        w = np.zeros(total, dtype=np.float32)
        w[:min(end, total)] = 1
        return w
    ones = np.ones(min(s, total), dtype=np.float32)
    n = total - max(total - end, 0) - s
    ramp = np.linspace(1, 0, n + 2, dtype=np.float32)[1:-1] if end > s and n > 0 else np.zeros(0, dtype=np.float32)
    if schedule == "EXP":
        ramp = ramp * (np.exp(ramp) - 1) / (np.exp(np.float32(1)) - 1)
    zeros = np.zeros(max(total - end, 0), dtype=np.float32)
    return np.concatenate([ones, ramp.astype(np.float32), zeros])


def guidance_weight(t, g_max):
    tau = np.float32(1) - np.float32(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (1 - tau) / tau
        c = np.float32(g_max) if np.isinf(c) else c
        inv_r2 = ((1 - tau) ** 2 + tau ** 2) / (1 - tau) ** 2
        g = c * inv_r2
    if np.isinf(g):
        g = np.float32(g_max)
    if np.isnan(g):
        g = np.float32(0)
    return np.float32(min(g, g_max))


def main():
    with open(sys.argv[1]) as f:
        case = json.load(f)
    steps, T, D = case["steps"], case["chunk"], case["dim"]
    guides = case["guidance"]
    B = len(guides)
    x = np.array(case["noise"], dtype=np.float32).reshape(B, T, D)
    M = np.array(case["matrix"], dtype=np.float32).reshape(D, D)
    b = np.array(case["bias"], dtype=np.float32)
    extra = np.zeros((B, 1, D), dtype=np.float32)
    if "cache" in case:
        cache = np.array(case["cache"], dtype=np.float32).reshape(B, -1)
        C = np.array(case["cache_matrix"], dtype=np.float32).reshape(cache.shape[1], D)
        extra = np.tanh(cache @ C)[:, None, :]
    dt = -1.0 / steps
    for step in range(steps):
        t = np.float32(1.0 + step * dt)
        v = x @ M + t * b + extra
        for r, guide in enumerate(guides):
            if guide is None:
                continue
            P, A = guide["rows"], guide["cols"]
            Y = np.zeros((T, D), dtype=np.float32)
            Y[:P, :A] = np.array(guide["prefix"], dtype=np.float32).reshape(P, A)
            H = min(guide["horizon"], P)
            W = prefix_weights(guide["schedule"], max(guide["delay"], 0), H, T)[:, None]
            g = guidance_weight(t, guide["max_g"])
            x0 = x[r] - t * v[r]
            v[r] = v[r] - g * (W * (Y - x0))
        x = x + np.float32(dt) * v
    json.dump([float(value) for value in x.reshape(-1)], sys.stdout)


if __name__ == "__main__":
    main()
