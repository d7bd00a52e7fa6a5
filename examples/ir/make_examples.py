#!/usr/bin/env python3
"""Writes the example .cir models of examples/ir, their side files of weights and sample inputs.

Run from this folder with NumPy: python3 make_examples.py. The outputs are committed; the build never
runs Python. Weights are random (seeded): these examples show the compiler, not accuracy.
"""
import numpy as np

rng = np.random.default_rng(7)


def f32(shape, scale):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def dense(a):
    flat = ", ".join(repr(float(v)) for v in a.reshape(-1))
    return f"dense<[{flat}]>"


def ty(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


# ---- lenet: convolutions, a classifier, and some redundancy for the passes to remove ----
w = {
    "w0": f32((6, 1, 5, 5), 0.3),
    "w1": f32((16, 6, 5, 5), 0.1),
    "w2": f32((16, 16, 3, 3), 0.1),
    "fc0": f32((400, 120), 0.05),
    "fc1": f32((120, 84), 0.1),
    "fc2": f32((84, 10), 0.1),
    "bfc0": f32((120,), 0.1),
}
b0 = f32((6,), 0.1)
b1 = f32((16,), 0.1)
bfc2 = f32((10,), 0.1)
lenet = f"""// LeNet-style classifier on 28x28 images (random weights).
// It carries redundancy on purpose: an identity, a reshape chain, a transpose pair, a constant
// expression and a dead value, for canonicalize, fold-constants and dce to remove.
graph @lenet(%x: tensor<1x1x28x28xf32>) -> tensor<1x10xf32> {{
  %w0 = const @w0 : {ty((6, 1, 5, 5))}
  %b0 = const {dense(b0)} : {ty((6,))}
  %0 = graph.conv2d(%x, %w0, %b0) {{pads = [2, 2, 2, 2]}} : {ty((1, 6, 28, 28))}
  %1 = graph.relu(%0) : {ty((1, 6, 28, 28))}
  %w1 = const @w1 : {ty((16, 6, 5, 5))}
  %b1 = const {dense(b1)} : {ty((16,))}
  %2 = graph.conv2d(%1, %w1, %b1) {{strides = [2, 2]}} : {ty((1, 16, 12, 12))}
  %3 = graph.relu(%2) : {ty((1, 16, 12, 12))}
  %w2 = const @w2 : {ty((16, 16, 3, 3))}
  %4 = graph.conv2d(%3, %w2) {{strides = [2, 2]}} : {ty((1, 16, 5, 5))}
  %5 = graph.relu(%4) : {ty((1, 16, 5, 5))}
  %6 = graph.identity(%5) : {ty((1, 16, 5, 5))}
  %7 = graph.reshape(%6) {{shape = [1, 16, 25]}} : {ty((1, 16, 25))}
  %8 = graph.reshape(%7) {{shape = [1, -1]}} : {ty((1, 400))}
  %fc0 = const @fc0 : {ty((400, 120))}
  %9 = graph.matmul(%8, %fc0) : {ty((1, 120))}
  %bfc0 = const @bfc0 : {ty((120,))}
  %10 = graph.add(%9, %bfc0) : {ty((1, 120))}
  %11 = graph.relu(%10) : {ty((1, 120))}
  %fc1 = const @fc1 : {ty((120, 84))}
  %fc1t = graph.transpose(%fc1) {{perm = [1, 0]}} : {ty((84, 120))}
  %fc1tt = graph.transpose(%fc1t) {{perm = [1, 0]}} : {ty((120, 84))}
  %12 = graph.matmul(%11, %fc1tt) : {ty((1, 84))}
  %13 = graph.relu(%12) : {ty((1, 84))}
  %unused = graph.mul(%13, %13) : {ty((1, 84))}
  %fc2 = const @fc2 : {ty((84, 10))}
  %half = const dense<0.5> : {ty((84, 10))}
  %two = const dense<2.0> : {ty((84, 10))}
  %one = graph.mul(%half, %two) : {ty((84, 10))}
  %fc2s = graph.mul(%fc2, %one) : {ty((84, 10))}
  %14 = graph.matmul(%13, %fc2s) : {ty((1, 10))}
  %bfc2 = const {dense(bfc2)} : {ty((10,))}
  %logits = graph.add(%14, %bfc2) : {ty((1, 10))}
  return %logits
}}
"""
with open("lenet.cir", "w") as f:
    f.write(lenet)
np.savez("lenet.weights.npz", **w)
np.savez("lenet.input.npz", x=rng.random((1, 1, 28, 28), dtype=np.float32))

# ---- mlp: everything inline, a self-contained file ----
m0 = f32((4, 3), 0.5)
mb = f32((3,), 0.1)
mlp = f"""// A two-layer perceptron whose constants are all inline: one self-contained file.
graph @mlp(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {{
  %w = const {dense(m0)} : {ty((4, 3))}
  %b = const {dense(mb)} : {ty((3,))}
  %0 = graph.matmul(%x, %w) : {ty((2, 3))}
  %1 = graph.add(%0, %b) : {ty((2, 3))}
  %2 = graph.identity(%1) : {ty((2, 3))}
  %y = graph.relu(%2) : {ty((2, 3))}
  return %y
}}
"""
with open("mlp.cir", "w") as f:
    f.write(mlp)
np.savez("mlp.input.npz", x=rng.standard_normal((2, 4)).astype(np.float32))
