#!/usr/bin/python3
"""Writes the small ONNX fixtures of the executor's tests, each a directory laid out like ONNX's
own backend tests: model.onnx (plus any external data) and test_data_set_N/{input,output}_K.pb,
the expected outputs computed here with numpy in float32 (float64 where numpy would otherwise
round differently). Run it with Debian's python3 (onnx 1.12, numpy, scipy) from anywhere:

    /usr/bin/python3 native/sim/tests/models/executor/make_executor_models.py

It rewrites the fixtures in place; they are small (a few KB) and committed with this script.
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from scipy.special import erf

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240501)


def save(name, model, data_sets, external=None):
    """data_sets: list of (inputs, outputs) lists of numpy arrays."""
    directory = os.path.join(HERE, name)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    onnx.checker.check_model(model)
    if external:
        onnx.save_model(model, os.path.join(directory, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=external, size_threshold=0)
    else:
        onnx.save_model(model, os.path.join(directory, "model.onnx"))
    for index, (inputs, outputs) in enumerate(data_sets):
        set_dir = os.path.join(directory, "test_data_set_%d" % index)
        os.makedirs(set_dir)
        for kind, arrays in (("input", inputs), ("output", outputs)):
            for k, array in enumerate(arrays):
                with open(os.path.join(set_dir, "%s_%d.pb" % (kind, k)), "wb") as f:
                    f.write(numpy_helper.from_array(array).SerializeToString())


def attention_like():
    """int64 tokens [N, 4] -> embedding Gather -> + positions -> layer norm and erf-GELU written
    out in elementwise ops -> softmax over the features -> Reshape to [N, 32] through Shape
    arithmetic, with a symbolic batch."""
    vocab, seq, dim = 10, 4, 8
    table = rng.standard_normal((vocab, dim)).astype(np.float32)
    positions = rng.standard_normal((seq, dim)).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, dim).astype(np.float32)
    beta = rng.standard_normal(dim).astype(np.float32)
    c = lambda name, value: numpy_helper.from_array(np.array(value), name)
    nodes = [
        helper.make_node("Gather", ["embedding", "tokens"], ["embedded"], axis=0),
        helper.make_node("Add", ["embedded", "positions"], ["h"]),
        helper.make_node("ReduceMean", ["h"], ["mean"], axes=[-1], keepdims=1),
        helper.make_node("Sub", ["h", "mean"], ["centered"]),
        helper.make_node("Mul", ["centered", "centered"], ["squared"]),
        helper.make_node("ReduceMean", ["squared"], ["variance"], axes=[-1], keepdims=1),
        helper.make_node("Add", ["variance", "epsilon"], ["variance_eps"]),
        helper.make_node("Sqrt", ["variance_eps"], ["std"]),
        helper.make_node("Div", ["centered", "std"], ["normalized"]),
        helper.make_node("Mul", ["normalized", "gamma"], ["scaled"]),
        helper.make_node("Add", ["scaled", "beta"], ["ln"]),
        helper.make_node("Div", ["ln", "sqrt2"], ["ln_over_sqrt2"]),
        helper.make_node("Erf", ["ln_over_sqrt2"], ["erf"]),
        helper.make_node("Add", ["erf", "one"], ["erf_plus_one"]),
        helper.make_node("Mul", ["ln", "erf_plus_one"], ["gelu_twice"]),
        helper.make_node("Mul", ["gelu_twice", "half"], ["gelu"]),
        helper.make_node("Softmax", ["gelu"], ["probabilities"], axis=-1),
        helper.make_node("Shape", ["tokens"], ["token_shape"]),
        helper.make_node("Gather", ["token_shape", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch"], ["batch_1d"], axes=[0]),
        helper.make_node("Concat", ["batch_1d", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["probabilities", "target"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "attention_like",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, ["batch", seq])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", seq * dim])],
        [numpy_helper.from_array(table, "embedding"), numpy_helper.from_array(positions, "positions"),
         numpy_helper.from_array(gamma, "gamma"), numpy_helper.from_array(beta, "beta"),
         c("epsilon", np.float32(1e-5)), c("sqrt2", np.float32(np.sqrt(2))), c("one", np.float32(1)),
         c("half", np.float32(0.5)), c("zero", np.int64(0)), c("minus_one", np.array([-1], np.int64))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 12)], producer_name="make_models.py")

    def reference(tokens):
        h = table[tokens] + positions
        mean = h.mean(axis=-1, keepdims=True, dtype=np.float64).astype(np.float32)
        centered = h - mean
        variance = (centered * centered).mean(axis=-1, keepdims=True, dtype=np.float64).astype(np.float32)
        ln = centered / np.sqrt(variance + np.float32(1e-5)) * gamma + beta
        gelu = (ln * (erf(ln / np.float32(np.sqrt(2))).astype(np.float32) + 1) * np.float32(0.5)).astype(np.float32)
        e = np.exp(gelu - gelu.max(axis=-1, keepdims=True))
        return (e / e.sum(axis=-1, keepdims=True)).reshape(tokens.shape[0], -1).astype(np.float32)

    sets = []
    for batch in (2, 3):
        tokens = rng.integers(-vocab, vocab, (batch, seq)).astype(np.int64)  # negative ids count from the end
        sets.append(([tokens], [reference(tokens)]))
    save("attention_like", model, sets)


def external_weights():
    """y = x * w + b with w and b in an external data file next to the model."""
    w = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("Mul", ["x", "w"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["y"])],
        "external_weights",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_models.py")
    x = rng.standard_normal((3, 4)).astype(np.float32)
    save("external_weights", model, [([x], [x * w + b])], external="weights.bin")


def float16_io():
    """float16 in and out: Add and Relu on float16, a Cast to float32 for a Sigmoid, and back."""
    bias = rng.standard_normal(5).astype(np.float16)
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "bias"], ["a"]), helper.make_node("Relu", ["a"], ["r"]),
         helper.make_node("Cast", ["r"], ["r32"], to=TensorProto.FLOAT),
         helper.make_node("Sigmoid", ["r32"], ["s32"]),
         helper.make_node("Cast", ["s32"], ["y"], to=TensorProto.FLOAT16)],
        "float16_io",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT16, [2, 5])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT16, [2, 5])],
        [numpy_helper.from_array(bias, "bias")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="make_models.py")
    x = rng.standard_normal((2, 5)).astype(np.float16)
    a = (x.astype(np.float32) + bias.astype(np.float32)).astype(np.float16)
    r = np.maximum(a, np.float16(0)).astype(np.float32)
    y = (1 / (1 + np.exp(-r))).astype(np.float16)
    save("float16_io", model, [([x], [y])])


if __name__ == "__main__":
    attention_like()
    external_weights()
    float16_io()
