package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxOp.Types.ANY;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * ONNX ops whose result is known at import time: Constant, Shape and Size (from the static type of their
 * operand), and ConstantOfShape (a graph op, folded when small).
 */
final class ConstantImports {
  private ConstantImports() {}

  static List<OnnxOp> ops() {
    return List.of(
        OnnxOp.of("Constant", 1, ANY, List.of("value", "value_float", "value_floats", "value_int", "value_ints",
            "value_string", "value_strings", "sparse_value"), ConstantImports::constant),
        OnnxOp.of("ConstantOfShape", 9, ANY, List.of("value"), ConstantImports::constantOfShape),
        OnnxOp.of("Shape", 1, ANY, List.of("start", "end"), ConstantImports::shape),
        OnnxOp.of("Size", 1, ANY, List.of(), (n, g) -> {
          GraphImport.arity(n, 1, 1);
          Shape s = staticShape(n, g);
          return ShapeImports.one(g.constant(Tensor.wrap(TensorType.of(ElementType.I64), new long[] {s.numel()}),
              n.outputHint(0)));
        }));
  }

  private static List<Value> constant(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 0, 0);
    if (n.attributes().size() != 1) {
      throw new CimcException(n.location(), n.describe() + " must have exactly one of the attributes value, "
          + "value_float, value_floats, value_int, value_ints, value_string, value_strings, sparse_value; it has "
          + n.attributes().size(), null);
    }
    String attr = n.attributes().keySet().iterator().next();
    Tensor t = switch (attr) {
      case "value" -> g.decode(n.getTensor("value"), "the value of " + n.describe());
      case "value_float" -> Tensor.wrap(TensorType.f32(), new float[] {(float) n.getFloat(attr, 0)});
      case "value_floats" -> {
        double[] d = n.getFloats(attr);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          f[i] = (float) d[i];
        }
        yield Tensor.wrap(TensorType.f32(f.length), f);
      }
      case "value_int" -> Tensor.wrap(TensorType.of(ElementType.I64), new long[] {n.getInt(attr, 0)});
      case "value_ints" -> {
        long[] l = n.getInts(attr);
        yield Tensor.wrap(TensorType.of(ElementType.I64, l.length), l);
      }
      case "value_string", "value_strings" -> throw new OnnxUnsupportedException(n.location(), n.describe()
          + " holds strings, which cimc does not support", null);
      default -> throw new OnnxUnsupportedException(n.location(), n.describe() + " holds a sparse tensor, which "
          + "cimc does not support", "store the constant densely");
    };
    return ShapeImports.one(g.constant(t, n.outputHint(0)));
  }

  private static List<Value> constantOfShape(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, 1);
    long[] shape = g.requireLongs(n, 0, "shape");
    Onnx.TensorProto vp = n.getTensor("value");
    Tensor value = vp == null ? null : g.decode(vp, "the value of " + n.describe());
    if (value != null && value.size() != 1) {
      throw new CimcException(n.location(), "the value of " + n.describe() + " must hold one element, got "
          + value.type(), null);
    }
    if (value != null && value.shape().rank() != 1) {
      value = value.reshape(Shape.of(1));
    }
    return ShapeImports.one(g.op("graph.constant_of_shape",
        AttrList.of().ints("shape", shape).tensor("value", value).build(), n.outputHint(0)));
  }

  /** Shape: the dimensions start..end (opset 15; negative bounds count from the end and are clamped). */
  private static List<Value> shape(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, 1);
    Shape s = staticShape(n, g);
    int r = s.rank();
    if (n.opset() < 15 && (n.has("start") || n.has("end"))) {
      throw new CimcException(n.location(), "attributes 'start' and 'end' of " + n.describe() + " need opset 15, the "
          + "model imports opset " + n.opset(), null);
    }
    long start = n.opset() >= 15 ? n.getInt("start", 0) : 0;
    long end = n.opset() >= 15 ? n.getInt("end", r) : r;
    start = clamp(start < 0 ? start + r : start, r);
    end = clamp(end < 0 ? end + r : end, r);
    int len = (int) Math.max(0, end - start);
    long[] dims = new long[len];
    for (int i = 0; i < len; i++) {
      dims[i] = s.dim((int) start + i);
    }
    return ShapeImports.one(g.constant(Tensor.wrap(TensorType.of(ElementType.I64, len), dims), n.outputHint(0)));
  }

  private static long clamp(long v, int r) {
    return Math.max(0, Math.min(r, v));
  }

  private static Shape staticShape(OnnxNode n, GraphImport g) {
    TensorType t = g.typeOf(n, 0);
    if (!t.shape().isStatic()) {
      throw new CimcException(n.location(), n.describe() + " reads the shape of " + t + ", which is not static",
          "bind the model's dynamic input dimensions with --input-shape");
    }
    return t.shape();
  }
}
