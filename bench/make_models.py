#!/usr/bin/python3
"""The bench's models, written at bench time into bench/.cache/ (python3-onnx and numpy):
resnet_stem.onnx (native/tools/make_resnet_stem.py: ResNet-18 stem and first stage at 224x224)
and matmul_chain_1024.onnx (four chained 1024x1024 MatMuls with constant right operands, for the
GEMM kernel's GFLOP/s through the whole stack: four products per run keep the upload of the
input and the download of the output a few percent of the time).

usage: /usr/bin/python3 bench/make_models.py OUT_DIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def matmul_chain(path, n, count):
    rng = np.random.default_rng(1)
    weights, nodes = [], []
    for i in range(count):
        weights.append(numpy_helper.from_array((rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32), f'w{i}'))
        nodes.append(helper.make_node('MatMul', ['x' if i == 0 else f'h{i}', f'w{i}'],
                                      ['y' if i == count - 1 else f'h{i + 1}']))
    graph = helper.make_graph(nodes, 'matmul_chain',
                              [helper.make_tensor_value_info('x', TensorProto.FLOAT, [n, n])],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, [n, n])], weights)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)], producer_name='bench')
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    stem = os.path.join(out, 'resnet_stem.onnx')
    if not os.path.exists(stem):
        subprocess.check_call([sys.executable, os.path.join(HERE, '..', 'native', 'tools', 'make_resnet_stem.py'), stem])
    mm = os.path.join(out, 'matmul_chain_1024.onnx')
    if not os.path.exists(mm):
        matmul_chain(mm, 1024, 4)


if __name__ == '__main__':
    main()
