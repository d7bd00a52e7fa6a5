#!/usr/bin/python3
"""Writes dynamic_batch.onnx: y = relu(x @ W) with x of shape [N, 4], N symbolic (a dim_param).
Run with Debian's python3-onnx: /usr/bin/python3 make_dynamic_batch.py. The output is committed."""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5, name="W")
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["h"], name="mm"), helper.make_node("Relu", ["h"], ["y"], name="relu")],
    "dynamic_batch",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
    [w],
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="cimc-tests")
model.ir_version = 7
onnx.checker.check_model(model)
onnx.save(model, "dynamic_batch.onnx")
