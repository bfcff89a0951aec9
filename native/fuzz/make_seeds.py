#!/usr/bin/env python3
"""Writes the fuzzers' committed seed corpus (native/fuzz/seeds/): the small fixture models of
the test suites, copied, plus hand-made models and tensors that reach the corners of the reader
and the loader — every attribute kind, typed and raw initializers, symbolic and zero dims, a
graph touching most ops with tiny shapes, and deliberately broken files (external data from
memory, cycles, missing inputs, absurd dims, unknown ops and opsets).

    /usr/bin/python3 native/fuzz/make_seeds.py     (needs python3-onnx and numpy)
"""
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..', '..')
OUT = os.path.join(HERE, 'seeds')
F = TensorProto.FLOAT


def save(name, model_or_bytes):
    data = model_or_bytes if isinstance(model_or_bytes, bytes) else model_or_bytes.SerializeToString()
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)


def model(nodes, inputs, outputs, inits=(), opset=13, value_info=()):
    graph = helper.make_graph(nodes, 'g', inputs, outputs, list(inits), value_info=list(value_info))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid('', opset)])
    m.ir_version = 8
    return m


def vi(name, dims, elem=F):
    return helper.make_tensor_value_info(name, elem, dims)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def copy_fixtures():
    sources = [os.path.join(ROOT, 'test', 'fixtures', 'models'), os.path.join(ROOT, 'native', 'sim', 'tests', 'models')]
    for directory in sources:
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if name.endswith('.onnx') and os.path.getsize(path) <= 16384:
                shutil.copy(path, os.path.join(OUT, 'fixture_' + os.path.basename(directory) + '_' + name))


def copy_findings():
    """Inputs that once crashed a target (native/fuzz/findings): each run starts from them again."""
    directory = os.path.join(HERE, 'findings')
    for name in sorted(os.listdir(directory)):
        shutil.copy(os.path.join(directory, name), os.path.join(OUT, 'finding_' + name))


def op_tour():
    """Most ops of the executor on shapes of a few elements, chained so each one runs."""
    x = vi('x', [1, 2, 4, 4])
    nodes = [
        helper.make_node('Conv', ['x', 'w'], ['c'], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node('Relu', ['c'], ['r']),
        helper.make_node('MaxPool', ['r'], ['p'], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node('BatchNormalization', ['p', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['bn']),
        helper.make_node('GlobalAveragePool', ['bn'], ['gap']),
        helper.make_node('Flatten', ['gap'], ['f'], axis=1),
        helper.make_node('Gemm', ['f', 'gw', 'gb'], ['g'], transB=1),
        helper.make_node('Softmax', ['g'], ['s'], axis=-1),
        helper.make_node('Shape', ['s'], ['shape']),
        helper.make_node('Reshape', ['s', 'shape'], ['rs']),
        helper.make_node('Transpose', ['rs'], ['t'], perm=[1, 0]),
        helper.make_node('Concat', ['t', 't'], ['cat'], axis=0),
        helper.make_node('Slice', ['cat', 'st', 'en', 'ax'], ['sl']),
        helper.make_node('ReduceMean', ['sl'], ['rm'], axes=[0], keepdims=1),
        helper.make_node('Sigmoid', ['rm'], ['sg']),
        helper.make_node('Where', ['cond', 'sg', 'rm'], ['y']),
        helper.make_node('TopK', ['g', 'k'], ['tv', 'ti'], axis=-1),
        helper.make_node('Cast', ['ti'], ['tif'], to=F),
    ]
    inits = [
        const('w', np.full((3, 2, 3, 3), 0.1, np.float32)), const('gw', np.ones((4, 3), np.float32)),
        const('gb', np.zeros(4, np.float32)), const('bn_s', np.ones(3, np.float32)),
        const('bn_b', np.zeros(3, np.float32)), const('bn_m', np.zeros(3, np.float32)),
        const('bn_v', np.ones(3, np.float32)), const('st', np.array([0], np.int64)),
        const('en', np.array([2], np.int64)), const('ax', np.array([1], np.int64)),
        const('cond', np.array([[True, False]])), const('k', np.array([2], np.int64)),
    ]
    return model(nodes, [x], [vi('y', None), vi('tv', None), vi('tif', None)], inits)


def attribute_kinds():
    """Every AttributeProto kind, a subgraph, strings, and a sparse-free typed initializer."""
    sub = helper.make_graph([helper.make_node('Identity', ['a'], ['b'])], 'body', [vi('a', [1])], [vi('b', [1])])
    node = helper.make_node('Identity', ['x'], ['y'], f=1.5, i=3, s=b'text', floats=[1.0, 2.0], ints=[1, 2],
                            strings=[b'a', b'b'], g=sub, graphs=[sub], t=const('tt', np.array([1.0], np.float32)))
    typed = helper.make_tensor('typed', TensorProto.INT32, [3], [1, -2, 3])
    doubles = helper.make_tensor('dbl', TensorProto.DOUBLE, [2], [0.5, -0.25])
    strings = helper.make_tensor('str', TensorProto.STRING, [2], [b'x', b'yz'])
    return model([node], [vi('x', ['n', 3])], [vi('y', ['n', 3])], [typed, doubles, strings])


def float16_and_ints():
    nodes = [helper.make_node('Cast', ['x'], ['xf'], to=F), helper.make_node('Add', ['xf', 'b'], ['s']),
             helper.make_node('Cast', ['s'], ['y'], to=TensorProto.FLOAT16),
             helper.make_node('ArgMax', ['s'], ['am'], axis=1, keepdims=0)]
    return model(nodes, [vi('x', [2, 3], TensorProto.FLOAT16)],
                 [vi('y', [2, 3], TensorProto.FLOAT16), vi('am', [2], TensorProto.INT64)],
                 [const('b', np.arange(3, dtype=np.float32))])


def shape_ops():
    """Shape arithmetic that constant folding resolves, and dynamic-size ops with small values."""
    nodes = [
        helper.make_node('ConstantOfShape', ['cs'], ['zeros'], value=const('v', np.array([2.0], np.float32))),
        helper.make_node('Range', ['r0', 'r1', 'r2'], ['range']),
        helper.make_node('Expand', ['x', 'es'], ['ex']),
        helper.make_node('Tile', ['ex', 'reps'], ['ti']),
        helper.make_node('Unsqueeze', ['range', 'ua'], ['ur']),
        helper.make_node('Mul', ['ti', 'zeros'], ['m']),
        helper.make_node('Squeeze', ['m', 'ua'], ['y']),
        helper.make_node('Pad', ['ur', 'pads'], ['pd']),
        helper.make_node('Resize', ['x4', '', 'scales'], ['rz'], mode='nearest'),
    ]
    inits = [const('cs', np.array([1, 4], np.int64)), const('r0', np.array(0.0, np.float32)),
             const('r1', np.array(3.0, np.float32)), const('r2', np.array(1.0, np.float32)),
             const('es', np.array([1, 2], np.int64)), const('reps', np.array([1, 2], np.int64)),
             const('ua', np.array([0], np.int64)), const('pads', np.array([0, 1, 0, 1], np.int64)),
             const('scales', np.array([1, 1, 2, 2], np.float32))]
    return model(nodes, [vi('x', [1, 2]), vi('x4', [1, 1, 2, 2])], [vi('y', None), vi('pd', None), vi('rz', None)],
                 inits)


def broken():
    """Models the loader must refuse with a message."""
    out = {}
    ext = helper.make_tensor('w', F, [4], [0.0] * 4)
    ext.ClearField('float_data')
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key='location', value='weights.bin')
    ext.external_data.add(key='length', value='16')
    out['broken_external_from_memory'] = model([helper.make_node('Add', ['x', 'w'], ['y'])], [vi('x', [4])],
                                               [vi('y', [4])], [ext])
    out['broken_cycle'] = model([helper.make_node('Add', ['x', 'b'], ['a']), helper.make_node('Relu', ['a'], ['b'])],
                                [vi('x', [2])], [vi('b', [2])])
    out['broken_missing_input'] = model([helper.make_node('Add', ['x', 'nowhere'], ['y'])], [vi('x', [2])],
                                        [vi('y', [2])])
    out['broken_huge_dims'] = model([helper.make_node('Relu', ['x'], ['y'])], [vi('x', [1 << 40, 1 << 40])],
                                    [vi('y', None)])
    out['broken_negative_dim'] = model([helper.make_node('Relu', ['x'], ['y'])], [vi('x', [-7, 2])], [vi('y', None)])
    out['broken_unknown_op'] = model([helper.make_node('NoSuchOp', ['x'], ['y'])], [vi('x', [2])], [vi('y', [2])])
    out['broken_future_opset'] = model([helper.make_node('Relu', ['x'], ['y'])], [vi('x', [2])], [vi('y', [2])],
                                       opset=99)
    short = helper.make_tensor('w', F, [1], b'\0\0\0\0', raw=True)
    short.dims[0] = 4  # raw_data holds one float of the four the dims promise
    out['broken_short_raw'] = model([helper.make_node('Add', ['x', 'w'], ['y'])], [vi('x', [4])], [vi('y', [4])],
                                    [short])
    out['zero_sized'] = model([helper.make_node('Relu', ['x'], ['y'])], [vi('x', [0, 3])], [vi('y', [0, 3])])
    out['scalar'] = model([helper.make_node('Neg', ['x'], ['y'])], [vi('x', [])], [vi('y', [])])
    out['no_nodes'] = model([], [vi('x', [2])], [vi('x', [2])])
    out['output_is_initializer'] = model([], [], [vi('w', [2])], [const('w', np.array([1.0, 2.0], np.float32))])
    return out


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    copy_fixtures()
    copy_findings()
    save('op_tour.onnx', op_tour())
    save('attribute_kinds.onnx', attribute_kinds())
    save('float16_and_ints.onnx', float16_and_ints())
    save('shape_ops.onnx', shape_ops())
    for name, m in broken().items():
        save(name + '.onnx', m)
    save('tensor_raw.pb', const('t', np.arange(6, dtype=np.float32).reshape(2, 3)).SerializeToString())
    save('tensor_int64.pb', helper.make_tensor('i', TensorProto.INT64, [3], [1, -1, 1 << 40]).SerializeToString())
    save('tensor_float16.pb', const('h', np.array([1.5, -2], np.float16)).SerializeToString())
    save('empty', b'')
    save('truncated_varint', b'\x08\xff\xff\xff')
    save('huge_length', b'\x3a\xff\xff\xff\xff\x0f')  # graph field with a 4 GiB length
    save('deep_nesting', b'\x3a\x7f' * 64)

if __name__ == '__main__':
    main()
