"""Reference values for the Swift flow-matching sampler and RTC guidance (Sources/FlowMatching), computed with numpy
from the formulas of edge-semantics §3 (no torch): prefix weights, guidance weights, guided velocities, whole Euler
runs with and without guidance (single and batched, every schedule), and the documented noise generator.

usage:
  flow_matching_reference.py <dir>     writes <dir>/cases.json and the float32 arrays it names (raw little-endian)

Doubles that must survive exactly (flow times) are written as repr() strings: JSON readers may round numbers.
Everything is float32 in LeRobot's operation order, except the LINEAR/EXP ramp, which numpy's linspace computes in
double and rounds once (torch computes it in float32: the two may differ by one unit in the last place).
"""
import json
import math
import os
import sys

import numpy as np

F = np.float32


def write(directory, name, array):
    array = np.ascontiguousarray(array, dtype="<f4")
    array.tofile(os.path.join(directory, name))
    return name


# ---- §3.3 prefix weights ------------------------------------------------------------------------------------------
def prefix_weights(schedule, start, end, total):
    start = min(start, end)
    if schedule == "ZEROS":
        w = np.zeros(total, dtype=F)
        w[:start] = 1
        return w
    if schedule == "ONES":
        w = np.ones(total, dtype=F)
        w[end:] = 0
        return w
    steps = total - max(total - end, 0) - start
    if end <= start or steps <= 0:
        ramp = np.zeros(0, dtype=F)
    else:
        ramp = np.linspace(1, 0, steps + 2, dtype=F)[1:-1]
    if schedule == "EXP":
        ramp = ramp * (np.expm1(ramp) / F(math.e - 1))
    trailing = np.zeros(max(total - end, 0), dtype=F)
    leading = np.ones(max(min(start, total), 0), dtype=F)
    return np.concatenate([leading, ramp, trailing]).astype(F)


# ---- §3.2 step 7 guidance weight ---------------------------------------------------------------------------------
def guidance_weight(time, max_weight):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tau = F(1 - time)
        G = F(max_weight)
        sq = (F(1) - tau) ** 2
        inv_r2 = (sq + tau**2) / sq
        c = np.nan_to_num((F(1) - tau) / tau, posinf=G)
        g = np.nan_to_num(c * inv_r2, posinf=G)
        return F(min(g, G))


# ---- §3.2 guided velocity, batched: each row its own padded prefix and weights (or none) ---------------------------
def padded_prefix(prefix, T, D):
    out = np.zeros((T, D), dtype=F)
    out[: prefix.shape[0], : prefix.shape[1]] = prefix
    return out


def guided(v, x, time, rows, max_weight):
    """rows[b] is None (plain velocity) or (Y_pad [T, D], W [T])."""
    out = v.copy()
    g = guidance_weight(time, max_weight)
    for b, row in enumerate(rows):
        if row is None:
            continue
        Y, W = row
        x1 = x[b] - F(time) * v[b]
        err = (Y - x1) * W[:, None]
        out[b] = v[b] - g * err
    return out


# ---- a velocity field both sides compute the same way (per-row conditioning, a non-linear term) --------------------
class Field:
    def __init__(self, rng, B, T, D):
        self.a = rng.uniform(-1, 1, D).astype(F)
        self.c = rng.uniform(-1, 1, (T, D)).astype(F)
        self.cond = rng.uniform(-0.5, 0.5, (B, D)).astype(F)
        self.q = F(0.125)
        self.times = []

    def __call__(self, x, t):
        t = F(t)
        return self.a[None, None, :] * x + self.c[None, :, :] * t + self.cond[:, None, :] + self.q * x * np.roll(x, -1, axis=2)


def sample(noise, steps, field, rows, max_weight):
    dt = -1.0 / steps
    x = noise.copy()
    for step in range(steps):
        time = 1.0 + step * dt
        field.times.append(time)
        v = field(x, F(time))
        if any(r is not None for r in rows):
            v = guided(v, x, time, rows, max_weight)
        x = x + F(dt) * v
    return x


# ---- the documented noise generator: SplitMix64 seeding, xoshiro256**, Box–Muller in double ------------------------
MASK = (1 << 64) - 1


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro:
    def __init__(self, seed):
        z = seed & MASK
        state = []
        for _ in range(4):
            z = (z + 0x9E3779B97F4A7C15) & MASK
            r = z
            r = ((r ^ (r >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            r = ((r ^ (r >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(r ^ (r >> 31))
        self.s = state

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


def standard_normal(seed, count):
    gen = Xoshiro(seed)
    out = []
    while len(out) < count:
        u1 = 1.0 - (gen.next() >> 11) * 2.0**-53
        u2 = (gen.next() >> 11) * 2.0**-53
        r = math.sqrt(-2.0 * math.log(u1))
        out.append(float(F(r * math.cos(2.0 * math.pi * u2))))
        if len(out) < count:
            out.append(float(F(r * math.sin(2.0 * math.pi * u2))))
    return out, gen.next()


# ---- the cases -------------------------------------------------------------------------------------------------------
SCHEDULES = ["ZEROS", "ONES", "LINEAR", "EXP"]


def main(directory):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(2025)
    cases = {"weights": [], "guidance_weights": [], "steps": [], "samplers": [], "noise": []}

    triples = [(5, 14, 25), (5, 10, 20), (5, 15, 20), (10, 10, 20), (15, 10, 20), (10, 10, 5), (0, 10, 50), (3, 10, 50),
               (10, 10, 50), (12, 10, 50), (0, 0, 50), (0, 1, 1), (2, 60, 50), (60, 70, 50), (49, 50, 50), (0, 50, 50),
               (7, 3, 12), (0, 0, 0), (4, 4, 4), (1, 2, 3)]
    for schedule in SCHEDULES:
        for start, end, total in triples:
            cases["weights"].append({"schedule": schedule, "start": start, "end": end, "total": total,
                                     "weights": [float(w) for w in prefix_weights(schedule, start, end, total)]})

    times = [0.0, 1.0, 0.5, 0.9, 0.1, 1.0 + 3 * (-0.1), 1.0 + 7 * (-0.1), 0.25, 1e-7, 1 - 1e-7, 0.999, 0.001, 0.2, 0.8]
    for G in [10.0, 1.5, 100.0, 0.25]:
        for t in times:
            cases["guidance_weights"].append({"time": repr(t), "max": G, "g": float(guidance_weight(t, G))})

    # Single guided steps (random x, v, prefix), including t = 0 and t = 1.
    for i, (schedule, T, D, P, A, d, H, t, G) in enumerate([
        ("LINEAR", 50, 32, 10, 6, 3, 10, 0.5, 10.0), ("EXP", 50, 32, 10, 6, 0, 10, 0.9, 10.0),
        ("ZEROS", 50, 32, 10, 6, 4, 10, 0.3, 10.0), ("ONES", 50, 32, 10, 6, 2, 10, 0.7, 10.0),
        ("LINEAR", 50, 32, 10, 6, 3, 10, 1.0, 10.0), ("LINEAR", 50, 32, 10, 6, 3, 10, 0.0, 10.0),
        ("EXP", 20, 8, 4, 8, 1, 10, 0.1, 2.0), ("LINEAR", 16, 16, 16, 16, 20, 16, 0.6, 5.0),
    ]):
        x = rng.standard_normal((T, D)).astype(F)
        v = rng.standard_normal((T, D)).astype(F)
        prefix = rng.standard_normal((P, A)).astype(F)
        W = prefix_weights(schedule, d, min(H, P), T)
        out = guided(v[None], x[None], t, [(padded_prefix(prefix, T, D), W)], G)[0]
        name = f"step{i}"
        cases["steps"].append({
            "schedule": schedule, "rows": T, "dims": D, "prefix_rows": P, "prefix_columns": A, "delay": d, "horizon": H,
            "time": repr(t), "max": G, "x": write(directory, f"{name}.x.bin", x), "v": write(directory, f"{name}.v.bin", v),
            "prefix": write(directory, f"{name}.prefix.bin", prefix), "expected": write(directory, f"{name}.out.bin", out)})

    # Whole sampler runs. A row spec: None (no guidance) or (delay, prefix rows, prefix columns).
    setups = [
        # (T, D, A, H, steps, G, row specs)
        (50, 32, 6, 10, 10, 10.0, [(3, 10, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(0, 10, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(10, 10, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(12, 10, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(60, 10, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(2, 4, 6)]),
        (50, 32, 6, 10, 10, 10.0, [(2, 0, 6)]),
        (12, 8, 3, 5, 4, 2.5, [(1, 5, 3)]),
        (12, 8, 8, 12, 1, 10.0, [(5, 12, 8)]),
        (50, 32, 6, 10, 10, 10.0, [(3, 10, 6), (7, 10, 6), None, (0, 6, 6)]),
        (12, 8, 3, 5, 4, 2.5, [None, (4, 5, 3), (1, 2, 3)]),
    ]
    n = 0
    for schedule in SCHEDULES:
        for T, D, A, H, steps, G, specs in setups:
            B = len(specs)
            field = Field(rng, B, T, D)
            noise = rng.standard_normal((B, T, D)).astype(F)
            rows, row_files = [], []
            for b, spec in enumerate(specs):
                if spec is None:
                    rows.append(None)
                    row_files.append(None)
                    continue
                d, P, width = spec
                prefix = rng.standard_normal((P, width)).astype(F)
                if P > 3 and b % 2 == 1:
                    prefix[P - 2:] = 0  # a leftover shorter than the horizon, zero-padded by the server
                W = prefix_weights(schedule, d, min(H, P), T)
                rows.append((padded_prefix(prefix, T, D), W))
                row_files.append({"delay": d, "prefix_rows": P, "prefix_columns": width,
                                  "prefix": write(directory, f"run{n}.prefix{b}.bin", prefix)})
            out = sample(noise, steps, field, rows, G)
            field.times = []
            plain = sample(noise, steps, field, [None] * B, G)
            name = f"run{n}"
            cases["samplers"].append({
                "schedule": schedule, "rows": T, "dims": D, "action_dim": A, "horizon": H, "steps": steps, "max": G,
                "batch": B, "a": write(directory, f"{name}.a.bin", field.a), "c": write(directory, f"{name}.c.bin", field.c),
                "cond": write(directory, f"{name}.cond.bin", field.cond), "q": float(field.q),
                "noise": write(directory, f"{name}.noise.bin", noise), "guides": row_files,
                "expected": write(directory, f"{name}.out.bin", out), "expected_plain": write(directory, f"{name}.plain.bin", plain),
                "times": [repr(t) for t in field.times]})
            n += 1

    for seed in [0, 1, 42, 2**64 - 1]:
        for count in [1, 7, 1000]:
            values, after = standard_normal(seed, count)
            cases["noise"].append({"seed": str(seed), "count": count, "values": values, "next_after": str(after)})

    with open(os.path.join(directory, "cases.json"), "w") as f:
        json.dump(cases, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
