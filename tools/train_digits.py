#!/usr/bin/python3
"""Train the demo digit classifier and export it to ONNX (Debian: python3-sklearn, -numpy, -onnx).

The 8x8 handwritten digits that scikit-learn ships (1797 images) are split 80/20 with a fixed
seed; a 64-32-10 multilayer perceptron is trained with plain numpy (mini-batch Adam on
cross-entropy), exported as MatMul/Add/Relu/MatMul/Add/Softmax with a symbolic batch, and the
held-out 20% is written as .npy files for `npm run demo`.

    /usr/bin/python3 tools/train_digits.py
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models", "digits")
rng = np.random.default_rng(8)

digits = load_digits()
images = (digits.data / 16.0).astype(np.float32)  # pixels 0..16 scaled to 0..1
labels = digits.target.astype(np.int64)
x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, random_state=8, stratify=labels)

hidden = 32
params = {
    "w1": rng.standard_normal((64, hidden)).astype(np.float32) * np.sqrt(2 / 64),
    "b1": np.zeros(hidden, np.float32),
    "w2": rng.standard_normal((hidden, 10)).astype(np.float32) * np.sqrt(2 / hidden),
    "b2": np.zeros(10, np.float32),
}
moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}


def forward(x):
    h = np.maximum(x @ params["w1"] + params["b1"], 0)
    logits = h @ params["w2"] + params["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return h, e / e.sum(axis=1, keepdims=True)


step = 0
for epoch in range(60):
    order = rng.permutation(len(x_train))
    for start in range(0, len(order), 32):
        idx = order[start:start + 32]
        x, y = x_train[idx], y_train[idx]
        h, p = forward(x)
        d_logits = p.copy()
        d_logits[np.arange(len(y)), y] -= 1
        d_logits /= len(y)
        d_h = (d_logits @ params["w2"].T) * (h > 0)
        grads = {"w2": h.T @ d_logits, "b2": d_logits.sum(0), "w1": x.T @ d_h, "b1": d_h.sum(0)}
        step += 1
        for k, g in grads.items():
            m, v = moments[k]
            m[:] = 0.9 * m + 0.1 * g
            v[:] = 0.999 * v + 0.001 * g * g
            m_hat = m / (1 - 0.9 ** step)
            v_hat = v / (1 - 0.999 ** step)
            params[k] -= (0.003 * m_hat / (np.sqrt(v_hat) + 1e-8)).astype(np.float32)

accuracy = (forward(x_test)[1].argmax(axis=1) == y_test).mean()
print(f"held-out accuracy (numpy): {accuracy:.4f} on {len(y_test)} images")

graph = helper.make_graph(
    [
        helper.make_node("MatMul", ["image", "w1"], ["h0"]),
        helper.make_node("Add", ["h0", "b1"], ["h1"]),
        helper.make_node("Relu", ["h1"], ["h"]),
        helper.make_node("MatMul", ["h", "w2"], ["l0"]),
        helper.make_node("Add", ["l0", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    ],
    "digits",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
    [numpy_helper.from_array(v, k) for k, v in params.items()],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ascendcl-demo")
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(OUT, exist_ok=True)
onnx.save(model, os.path.join(OUT, "model.onnx"))
np.save(os.path.join(OUT, "test_images.npy"), x_test)
np.save(os.path.join(OUT, "test_labels.npy"), y_test)
print("wrote", os.path.normpath(OUT))
