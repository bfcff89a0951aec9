#!/usr/bin/python3
"""Writes a ResNet-18 stem and first stage as ONNX, for gemm_bench --model and comparisons with
onnxruntime: conv 7x7/2 (3->64) + BatchNormalization + Relu + MaxPool 3x3/2, two basic blocks
(3x3 convs, batch norms, residual Adds), GlobalAveragePool, Flatten, Gemm 64->1000 (a stand-in
for the 512-wide head of the full network). Random weights (seeded); batch norms are separate
nodes, as an exporter writes them before any fusion.

usage: /usr/bin/python3 make_resnet_stem.py OUT.onnx [SIZE]   (SIZE defaults to 224)
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
    rng = np.random.default_rng(0)
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(array.astype(np.float32), name))
        return name

    def conv(x, name, cin, cout, k, stride, pad):
        w = const(name + '.w', rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (cin * k * k)))
        nodes.append(helper.make_node('Conv', [x, w], [name], name=name, kernel_shape=[k, k],
                                      strides=[stride, stride], pads=[pad] * 4))
        return name

    def bn(x, name, c):
        scale = const(name + '.scale', 1 + 0.1 * rng.standard_normal(c))
        bias = const(name + '.bias', 0.1 * rng.standard_normal(c))
        mean = const(name + '.mean', 0.1 * rng.standard_normal(c))
        var = const(name + '.var', 1 + 0.1 * rng.random(c))
        nodes.append(helper.make_node('BatchNormalization', [x, scale, bias, mean, var], [name], name=name))
        return name

    def relu(x, name):
        nodes.append(helper.make_node('Relu', [x], [name], name=name))
        return name

    x = relu(bn(conv('input', 'conv1', 3, 64, 7, 2, 3), 'bn1', 64), 'relu1')
    nodes.append(helper.make_node('MaxPool', [x], ['pool1'], name='pool1', kernel_shape=[3, 3], strides=[2, 2],
                                  pads=[1, 1, 1, 1]))
    x = 'pool1'
    for block in range(2):
        p = f'layer1.{block}'
        y = relu(bn(conv(x, p + '.conv1', 64, 64, 3, 1, 1), p + '.bn1', 64), p + '.relu1')
        y = bn(conv(y, p + '.conv2', 64, 64, 3, 1, 1), p + '.bn2', 64)
        nodes.append(helper.make_node('Add', [y, x], [p + '.add'], name=p + '.add'))
        x = relu(p + '.add', p + '.relu2')
    nodes.append(helper.make_node('GlobalAveragePool', [x], ['gap'], name='gap'))
    nodes.append(helper.make_node('Flatten', ['gap'], ['flat'], name='flat'))
    fc_w = const('fc.w', rng.standard_normal((1000, 64)) * 0.05)
    fc_b = const('fc.b', rng.standard_normal(1000) * 0.01)
    nodes.append(helper.make_node('Gemm', ['flat', fc_w, fc_b], ['logits'], name='fc', transB=1))

    graph = helper.make_graph(
        nodes, 'resnet18_stem',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, size, size])],
        [helper.make_tensor_value_info('logits', TensorProto.FLOAT, [1, 1000])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='make_resnet_stem')
    onnx.checker.check_model(model)
    onnx.save(model, out)


if __name__ == '__main__':
    main()
