"""Builds a small ONNX graph with every element type the Swift binding handles, runs it with Python onnxruntime,
and writes the graph, the inputs and onnxruntime's outputs for the Swift binding test to compare bit for bit.

usage: onnx_binding_fixture.py <output dir>
       onnx_binding_fixture.py <output dir> --model <file.onnx> [--batch N]
           runs an existing float32 graph on seeded random inputs (dynamic axes set to N) instead

Writes <dir>/binding.onnx, <dir>/<name>.in.bin / <name>.out.bin (raw little-endian) and <dir>/manifest.json:
{"inputs": [{"name", "dtype", "shape", "file"}], "outputs": [...], "onnxruntime": version}.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def build(rng: np.random.Generator) -> onnx.ModelProto:
    w1 = rng.standard_normal((8, 16)).astype(np.float32)
    b1 = rng.standard_normal((16,)).astype(np.float32)
    w2 = rng.standard_normal((16, 5)).astype(np.float32)
    nodes = [
        # y = relu(x @ w1 + b1) @ w2 + mean(pixels / 255)
        helper.make_node("MatMul", ["x", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"]),
        helper.make_node("Cast", ["pixels"], ["pf"], to=TensorProto.FLOAT),
        helper.make_node("Div", ["pf", "c255"], ["pn"]),
        helper.make_node("ReduceMean", ["pn"], ["pm"], keepdims=0),
        helper.make_node("Add", ["h3", "pm"], ["y"]),
        helper.make_node("Add", ["ids", "one"], ["ids_next"]),
        helper.make_node("Not", ["mask"], ["mask_not"]),
        helper.make_node("Identity", ["pixels"], ["pixels_echo"]),
    ]
    graph = helper.make_graph(
        nodes,
        "binding",
        inputs=[
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8]),
            helper.make_tensor_value_info("pixels", TensorProto.UINT8, [4, 6, 3]),
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"]),
            helper.make_tensor_value_info("mask", TensorProto.BOOL, ["n"]),
        ],
        outputs=[
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 5]),
            helper.make_tensor_value_info("ids_next", TensorProto.INT64, ["n"]),
            helper.make_tensor_value_info("mask_not", TensorProto.BOOL, ["n"]),
            helper.make_tensor_value_info("pixels_echo", TensorProto.UINT8, [4, 6, 3]),
        ],
        initializer=[
            numpy_helper.from_array(w1, "w1"),
            numpy_helper.from_array(b1, "b1"),
            numpy_helper.from_array(w2, "w2"),
            numpy_helper.from_array(np.array(255, dtype=np.float32), "c255"),
            numpy_helper.from_array(np.array(1, dtype=np.int64), "one"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    if "--model" in sys.argv:
        path = sys.argv[sys.argv.index("--model") + 1]
        batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 1
        graph = onnx.load(path).graph
        inputs = {}
        for value in graph.input:
            dims = [d.dim_value if d.HasField("dim_value") else batch for d in value.type.tensor_type.shape.dim]
            inputs[value.name] = rng.standard_normal(dims).astype(np.float32)
    else:
        model = build(rng)
        path = os.path.join(out, "binding.onnx")
        onnx.save(model, path)
        inputs = {
            "x": rng.standard_normal((3, 8)).astype(np.float32),
            "pixels": rng.integers(0, 256, (4, 6, 3), dtype=np.uint8),
            "ids": np.array([-5, 0, 41, 2**40], dtype=np.int64),
            "mask": np.array([True, False, False, True]),
        }
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(names, inputs)))
    manifest = {"onnxruntime": ort.__version__, "model": path, "inputs": [], "outputs": []}
    for kind, arrays in (("inputs", inputs), ("outputs", outputs)):
        for name, array in arrays.items():
            file = f"{name}.{kind[:-4] if kind == 'inputs' else 'out'}.bin"
            array.astype(array.dtype.newbyteorder("<")).tofile(os.path.join(out, file))
            manifest[kind].append({"name": name, "dtype": str(array.dtype), "shape": list(array.shape), "file": file})
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(path)


if __name__ == "__main__":
    main()
