#!/usr/bin/python3
"""Writes the small ONNX models the model-layer tests load (model_*_test.cc).

Run from anywhere with a Python that has `onnx` (1.12 here): /usr/bin/python3 make_models.py.
The files are committed; rerun this script after changing it. Every model uses ops of the
default domain at opset 13 and is a few hundred bytes.
"""
import os

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = [helper.make_opsetid("", 13)]


def save(name, nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=OPSET, producer_name="ascendcl make_models.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(HERE, name + ".onnx"))


def f32(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


# add_relu: two inputs, two outputs, static shapes. sum = a + b, relu = max(sum, 0).
save("add_relu",
     [helper.make_node("Add", ["a", "b"], ["sum"], name="add"),
      helper.make_node("Relu", ["sum"], ["relu"], name="relu")],
     [f32("a", [2, 3]), f32("b", [2, 3])],
     [f32("sum", [2, 3]), f32("relu", [2, 3])])

# bias_relu: one input, weights in an initializer (16 bytes). y = relu(x + bias).
save("bias_relu",
     [helper.make_node("Add", ["x", "bias"], ["biased"], name="add_bias"),
      helper.make_node("Relu", ["biased"], ["y"], name="relu")],
     [f32("x", [1, 4])],
     [f32("y", [1, 4])],
     [numpy_helper.from_array(np.array([[1, -2, 3, -4]], dtype=np.float32), "bias")])

# batch_symbolic: a symbolic batch dim N. y = softmax(x + bias) over the last axis, z = relu(x).
save("batch_symbolic",
     [helper.make_node("Add", ["x", "bias"], ["biased"], name="add_bias"),
      helper.make_node("Softmax", ["biased"], ["y"], name="softmax", axis=-1),
      helper.make_node("Relu", ["x"], ["z"], name="relu")],
     [f32("x", ["N", 3])],
     [f32("y", ["N", 3]), f32("z", ["N", 3])],
     [numpy_helper.from_array(np.array([0.5, -0.5, 1.0], dtype=np.float32), "bias")])

# batch_one: the same graph with the batch fixed at 1 (run once per sample under dynamicBatch).
save("batch_one",
     [helper.make_node("Add", ["x", "bias"], ["biased"], name="add_bias"),
      helper.make_node("Softmax", ["biased"], ["y"], name="softmax", axis=-1),
      helper.make_node("Relu", ["x"], ["z"], name="relu")],
     [f32("x", [1, 3])],
     [f32("y", [1, 3]), f32("z", [1, 3])],
     [numpy_helper.from_array(np.array([0.5, -0.5, 1.0], dtype=np.float32), "bias")])

# batch_three: the first dim fixed at 3, which dynamicBatch must refuse.
save("batch_three",
     [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     [f32("x", [3, 4])],
     [f32("y", [3, 4])])

# image: a 4-D (NCHW) input and output.
save("image",
     [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     [f32("x", [1, 2, 2, 2])],
     [f32("y", [1, 2, 2, 2])])

# spatial: symbolic height and width (dynamic shapes without gears). y = x * 2.
save("spatial",
     [helper.make_node("Mul", ["x", "two"], ["y"], name="double")],
     [f32("x", [1, "H", "W"])],
     [f32("y", [1, "H", "W"])],
     [numpy_helper.from_array(np.array(2, dtype=np.float32), "two")])

# reshape_dynamic: the output's dims depend on an input's values, so its size is unknown
# until the model runs.
save("reshape_dynamic",
     [helper.make_node("Reshape", ["data", "shape"], ["y"], name="reshape")],
     [f32("data", [6]), helper.make_tensor_value_info("shape", TensorProto.INT64, [2])],
     [f32("y", ["R", "C"])])

# unsupported_op: a node whose op the executor does not have.
unsupported = helper.make_graph(
    [helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")], "unsupported_op", [f32("x", [2])], [f32("y", [2])])
model = helper.make_model(unsupported, opset_imports=OPSET, producer_name="ascendcl make_models.py")
model.ir_version = 8
onnx.save(model, os.path.join(HERE, "unsupported_op.onnx"))

# long_names: names longer than aclmdlIODims.name holds (127 characters).
LONG_IN = "input_" + "x" * 194
LONG_OUT = "output_" + "y" * 193
save("long_names",
     [helper.make_node("Relu", [LONG_IN], [LONG_OUT], name="relu")],
     [f32(LONG_IN, [2])],
     [f32(LONG_OUT, [2])])

# an .om stands for the .onnx beside it: compiled.om has compiled.onnx; orphan.om has none.
save("compiled",
     [helper.make_node("Relu", ["x"], ["y"], name="relu")],
     [f32("x", [2])],
     [f32("y", [2])])
with open(os.path.join(HERE, "compiled.om"), "wb") as f:
    f.write(b"not a real .om: the simulator loads compiled.onnx\n")
with open(os.path.join(HERE, "orphan.om"), "wb") as f:
    f.write(b"an .om without a sibling .onnx\n")
