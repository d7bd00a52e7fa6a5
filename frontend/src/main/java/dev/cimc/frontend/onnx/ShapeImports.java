package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxOp.Types.ANY;
import static dev.cimc.frontend.onnx.OnnxOp.Types.NUMERIC;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Data-movement ONNX ops: Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Concat, Split, Slice, Gather,
 * Pad, Expand, Resize and Upsample. Shapes, axes, pads, split sizes and scales that newer opsets pass as
 * inputs must be constant at import time and become attributes.
 */
final class ShapeImports {
  private ShapeImports() {}

  static List<OnnxOp> ops() {
    return List.of(
        OnnxOp.of("Reshape", 1, ANY, List.of("allowzero"), ShapeImports::reshape),
        OnnxOp.of("Flatten", 1, ANY, List.of("axis"), (n, g) -> {
          GraphImport.arity(n, 1, 1);
          return one(g.op("graph.flatten", AttrList.of().i("axis", n.getInt("axis", 1)).build(), n.outputHint(0),
              g.in(n, 0)));
        }),
        OnnxOp.of("Squeeze", 1, ANY, List.of("axes"), ShapeImports::squeeze),
        OnnxOp.of("Unsqueeze", 1, ANY, List.of("axes"), ShapeImports::unsqueeze),
        OnnxOp.of("Transpose", 1, ANY, List.of("perm"), (n, g) -> {
          GraphImport.arity(n, 1, 1);
          return one(g.op("graph.transpose", AttrList.of().ints("perm", n.getInts("perm")).build(), n.outputHint(0),
              g.in(n, 0)));
        }),
        OnnxOp.of("Concat", 1, ANY, List.of("axis"), (n, g) -> {
          GraphImport.arity(n, 1, Integer.MAX_VALUE);
          Value[] vs = new Value[n.numInputs()];
          for (int i = 0; i < vs.length; i++) {
            vs[i] = g.in(n, i);
          }
          return one(g.op("graph.concat", AttrList.of().i("axis", n.requireInt("axis")).build(), n.outputHint(0), vs));
        }),
        OnnxOp.of("Split", 1, ANY, List.of("axis", "split", "num_outputs"), ShapeImports::split),
        OnnxOp.of("Slice", 1, ANY, List.of("starts", "ends", "axes"), ShapeImports::slice),
        OnnxOp.of("Gather", 1, ANY, List.of("axis"), (n, g) -> {
          GraphImport.arity(n, 2, 2);
          return one(g.op("graph.gather", AttrList.of().i("axis", n.getInt("axis", 0)).build(), n.outputHint(0),
              g.in(n, 0), g.in(n, 1)));
        }),
        OnnxOp.of("Pad", 1, ANY, List.of("pads", "mode", "value"), ShapeImports::pad),
        OnnxOp.of("Expand", 8, NUMERIC, List.of(), ShapeImports::expand),
        OnnxOp.of("Resize", 10, ANY, List.of("mode", "coordinate_transformation_mode", "nearest_mode",
            "cubic_coeff_a", "exclude_outside", "extrapolation_value", "antialias", "axes",
            "keep_aspect_ratio_policy"), ShapeImports::resize),
        OnnxOp.of("Upsample", 7, ANY, List.of("mode", "scales"), ShapeImports::upsample));
  }

  static List<Value> one(Value v) {
    return Arrays.asList(v);
  }

  private static List<Value> reshape(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 2);
    long[] shape = g.requireLongs(n, 1, "target shape");
    var attrs = AttrList.of().ints("shape", shape);
    if (n.opset() >= 14) {
      attrs.i("allowzero", n.getInt("allowzero", 0));
    }
    return one(g.op("graph.reshape", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /** Squeeze: axes is an optional attribute before opset 13 and an optional input from 13. */
  private static List<Value> squeeze(OnnxNode n, GraphImport g) {
    long[] axes;
    if (n.opset() < 13) {
      GraphImport.arity(n, 1, 1);
      axes = n.getInts("axes");
    } else {
      GraphImport.arity(n, 1, 2);
      noAttribute(n, "axes");
      axes = n.hasInput(1) ? g.requireLongs(n, 1, "axes") : null;
    }
    return one(g.op("graph.squeeze", AttrList.of().ints("axes", axes).build(), n.outputHint(0), g.in(n, 0)));
  }

  /** Unsqueeze: axes is a required attribute before opset 13 and a required input from 13. */
  private static List<Value> unsqueeze(OnnxNode n, GraphImport g) {
    long[] axes;
    if (n.opset() < 13) {
      GraphImport.arity(n, 1, 1);
      axes = n.requireInts("axes");
    } else {
      GraphImport.arity(n, 2, 2);
      noAttribute(n, "axes");
      axes = g.requireLongs(n, 1, "axes");
    }
    return one(g.op("graph.unsqueeze", AttrList.of().ints("axes", axes).build(), n.outputHint(0), g.in(n, 0)));
  }

  /**
   * Split: sizes come from the 'split' attribute before opset 13, from the optional input 1 from 13; opset 18
   * adds num_outputs. Without either, the tensor splits into as many equal parts as the node has outputs.
   */
  private static List<Value> split(OnnxNode n, GraphImport g) {
    long[] split;
    if (n.opset() < 13) {
      GraphImport.arity(n, 1, 1);
      split = n.getInts("split");
    } else {
      GraphImport.arity(n, 1, 2);
      noAttribute(n, "split");
      split = n.hasInput(1) ? g.requireLongs(n, 1, "split sizes") : null;
    }
    var attrs = AttrList.of().i("axis", n.getInt("axis", 0)).ints("split", split);
    if (n.opset() >= 18 && n.has("num_outputs")) {
      attrs.i("num_outputs", n.getInt("num_outputs", 0));
    } else if (n.has("num_outputs")) {
      throw new CimcException(n.location(), "attribute 'num_outputs' of " + n.describe() + " needs opset 18, the "
          + "model imports opset " + n.opset(), null);
    }
    if (n.numOutputs() == 0) {
      throw new CimcException(n.location(), n.describe() + " has no outputs", null);
    }
    var hints = new ArrayList<String>();
    for (int i = 0; i < n.numOutputs(); i++) {
      hints.add(n.outputHint(i));
    }
    return g.ops("graph.split", attrs.build(), hints, g.in(n, 0));
  }

  /** Slice: starts/ends/axes are attributes before opset 10, inputs (with steps) from 10. */
  private static List<Value> slice(OnnxNode n, GraphImport g) {
    var attrs = AttrList.of();
    if (n.opset() < 10) {
      GraphImport.arity(n, 1, 1);
      attrs.ints("starts", n.requireInts("starts")).ints("ends", n.requireInts("ends")).ints("axes", n.getInts("axes"));
    } else {
      GraphImport.arity(n, 3, 5);
      for (String a : List.of("starts", "ends", "axes")) {
        noAttribute(n, a);
      }
      attrs.ints("starts", g.requireLongs(n, 1, "starts")).ints("ends", g.requireLongs(n, 2, "ends"));
      if (n.hasInput(3)) {
        attrs.ints("axes", g.requireLongs(n, 3, "axes"));
      }
      if (n.hasInput(4)) {
        attrs.ints("steps", g.requireLongs(n, 4, "steps"));
      }
    }
    return one(g.op("graph.slice", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /** Pad: pads/mode/value are attributes before opset 11; pads, constant_value (and axes, 18) inputs from 11. */
  private static List<Value> pad(OnnxNode n, GraphImport g) {
    var attrs = AttrList.of().s("mode", n.getString("mode", "constant"));
    if (n.opset() < 11) {
      GraphImport.arity(n, 1, 1);
      attrs.ints("pads", n.requireInts("pads")).f("value", n.getFloat("value", 0));
    } else {
      GraphImport.arity(n, 2, n.opset() >= 18 ? 4 : 3);
      noAttribute(n, "pads");
      noAttribute(n, "value");
      attrs.ints("pads", g.requireLongs(n, 1, "pads"));
      if (n.hasInput(2)) {
        Tensor v = g.requireConstant(n, 2, "constant value");
        if (v.size() > 1) {
          throw new CimcException(n.location(), "the constant value of " + n.describe() + " must be a scalar, got "
              + v.type(), null);
        }
        if (v.size() == 1) {
          attrs.f("value", v.getDouble(0));
        }
      }
      if (n.hasInput(3)) {
        attrs.ints("axes", g.requireLongs(n, 3, "axes"));
      }
    }
    return one(g.op("graph.pad", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /**
   * Expand(x, shape) = x · ones(shape): the product broadcasts both ways exactly as Expand does, and
   * multiplying by one changes no value (signed zeros and NaN included).
   */
  private static List<Value> expand(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 2);
    long[] shape = g.requireLongs(n, 1, "target shape");
    Value x = g.in(n, 0);
    ElementType et = x.type().elementType();
    for (long d : shape) {
      if (d < 0) {
        throw new CimcException(n.location(), "the target shape " + Arrays.toString(shape) + " of " + n.describe()
            + " has a negative dimension", null);
      }
    }
    Tensor one = Tensor.fromDoubles(TensorType.of(et, 1), new double[] {1});
    Value ones = g.op("graph.constant_of_shape", AttrList.of().ints("shape", shape).tensor("value", one).build(),
        null);
    return one(g.op("graph.mul", Attributes.EMPTY, n.outputHint(0), x, ones));
  }

  /**
   * Resize. Opset 10 takes scales only and behaves as Upsample (asymmetric coordinates, nearest rounds
   * down); from 11 the roi/scales/sizes inputs and the coordinate transformation attributes apply. Cubic
   * interpolation, antialiasing and tf_crop_and_resize are not supported.
   */
  private static List<Value> resize(OnnxNode n, GraphImport g) {
    String mode = n.getString("mode", "nearest");
    if (mode.equals("cubic")) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " uses cubic interpolation, which cimc does "
          + "not support", "use mode 'nearest' or 'linear'");
    }
    var attrs = AttrList.of().s("mode", mode);
    if (n.opset() < 11) {
      GraphImport.arity(n, 2, 2);
      attrs.floats("scales", g.requireDoubles(n, 1, "scales"))
          .s("coordinate_transformation_mode", "asymmetric").s("nearest_mode", "floor");
      return one(g.op("graph.resize", attrs.build(), n.outputHint(0), g.in(n, 0)));
    }
    GraphImport.arity(n, n.opset() >= 13 ? 1 : 3, 4);
    String ctm = n.getString("coordinate_transformation_mode", "half_pixel");
    if (ctm.equals("tf_crop_and_resize")) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " uses coordinate_transformation_mode "
          + "'tf_crop_and_resize', which cimc does not support", null);
    }
    if (n.getInt("antialias", 0) != 0) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " uses antialiasing, which cimc does not "
          + "support", null);
    }
    if (n.getInt("exclude_outside", 0) != 0 && !mode.equals("nearest")) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " uses exclude_outside = 1, which cimc does not "
          + "support", null);
    }
    attrs.s("coordinate_transformation_mode", ctm)
        .s("nearest_mode", n.getString("nearest_mode", "round_prefer_floor"))
        .s("keep_aspect_ratio_policy", n.getString("keep_aspect_ratio_policy", "stretch"))
        .ints("axes", n.getInts("axes"));
    double[] scales = n.hasInput(2) ? g.requireDoubles(n, 2, "scales") : null;
    long[] sizes = n.hasInput(3) ? g.requireLongs(n, 3, "sizes") : null;
    if (scales != null && scales.length > 0) {
      attrs.floats("scales", scales);
    }
    if (sizes != null && sizes.length > 0) {
      attrs.ints("sizes", sizes);
    }
    return one(g.op("graph.resize", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /** Upsample (deprecated in opset 10) is Resize with asymmetric coordinates and nearest rounding down. */
  private static List<Value> upsample(OnnxNode n, GraphImport g) {
    double[] scales;
    if (n.opset() < 9) {
      GraphImport.arity(n, 1, 1);
      scales = n.getFloats("scales");
      if (scales == null) {
        throw new CimcException(n.location(), n.describe() + " needs the attribute 'scales'", null);
      }
    } else {
      GraphImport.arity(n, 2, 2);
      noAttribute(n, "scales");
      scales = g.requireDoubles(n, 1, "scales");
    }
    String mode = n.getString("mode", "nearest");
    if (mode.equals("bilinear")) {
      mode = "linear";
    }
    var attrs = AttrList.of().s("mode", mode).floats("scales", scales)
        .s("coordinate_transformation_mode", "asymmetric").s("nearest_mode", "floor");
    return one(g.op("graph.resize", attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /** Rejects an attribute that this opset passes as an input instead. */
  static void noAttribute(OnnxNode n, String name) {
    if (n.has(name)) {
      throw new CimcException(n.location(), n.describe() + " has the attribute '" + name + "', which opset "
          + n.opset() + " takes as an input instead", null);
    }
  }
}
