#!/usr/bin/env python3
"""Writes a tiny velocity graph for the flow-matching tests (a test fixture, not a policy):

  velocity = x_t @ M + time[:, None, None] * b + tanh(cache @ C)[:, None, :]

with x_t [batch, T, D], time [batch], cache [batch, K] (what a prefix graph would give the action expert).
  flow_fixture.py OUT_DIR T D K SEED   → OUT_DIR/velocity.onnx and OUT_DIR/params.json ({"M", "b", "C"})
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out, T, D, K, seed = sys.argv[1], *map(int, sys.argv[2:6])
    rng = np.random.default_rng(seed)
    M = (rng.standard_normal((D, D)) * 0.2).astype(np.float32)
    b = rng.standard_normal(D).astype(np.float32)
    C = (rng.standard_normal((K, D)) * 0.5).astype(np.float32)
    nodes = [
        helper.make_node("MatMul", ["x_t", "M"], ["xm"]),
        helper.make_node("Unsqueeze", ["time", "axes12"], ["t3"]),
        helper.make_node("Mul", ["t3", "b"], ["tb"]),
        helper.make_node("MatMul", ["cache", "C"], ["cc"]),
        helper.make_node("Tanh", ["cc"], ["ct"]),
        helper.make_node("Unsqueeze", ["ct", "axes1"], ["c3"]),
        helper.make_node("Add", ["xm", "tb"], ["s1"]),
        helper.make_node("Add", ["s1", "c3"], ["velocity"]),
    ]
    inputs = [
        helper.make_tensor_value_info("x_t", TensorProto.FLOAT, ["batch", T, D]),
        helper.make_tensor_value_info("time", TensorProto.FLOAT, ["batch"]),
        helper.make_tensor_value_info("cache", TensorProto.FLOAT, ["batch", K]),
    ]
    init = [numpy_helper.from_array(M, "M"), numpy_helper.from_array(b, "b"), numpy_helper.from_array(C, "C"),
            numpy_helper.from_array(np.array([1, 2], dtype=np.int64), "axes12"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axes1")]
    graph = helper.make_graph(nodes, "tiny_velocity", inputs,
                              [helper.make_tensor_value_info("velocity", TensorProto.FLOAT, ["batch", T, D])], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    os.makedirs(out, exist_ok=True)
    onnx.save(model, os.path.join(out, "velocity.onnx"))
    with open(os.path.join(out, "params.json"), "w") as f:
        json.dump({"M": M.reshape(-1).tolist(), "b": b.tolist(), "C": C.reshape(-1).tolist()}, f)


if __name__ == "__main__":
    main()
