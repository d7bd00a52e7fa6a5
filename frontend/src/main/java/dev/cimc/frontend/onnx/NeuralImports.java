package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.OnnxOp.Types.FLOAT;
import static dev.cimc.frontend.onnx.OnnxOp.Types.NUMERIC;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * Network layers: MatMul, Gemm, Conv and ConvTranspose (1-D and 2-D), the pools, the normalizations,
 * Softmax/LogSoftmax and the reductions.
 */
final class NeuralImports {
  private NeuralImports() {}

  private static final List<String> CONV_ATTRS =
      List.of("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");

  static List<OnnxOp> ops() {
    return List.of(
        OnnxOp.of("MatMul", 1, FLOAT, List.of(), (n, g) -> {
          GraphImport.arity(n, 2, 2);
          return ShapeImports.one(g.op("graph.matmul", Attributes.EMPTY, n.outputHint(0), g.in(n, 0), g.in(n, 1)));
        }),
        OnnxOp.of("Gemm", 1, FLOAT, List.of("alpha", "beta", "transA", "transB", "broadcast"), NeuralImports::gemm),
        OnnxOp.of("Conv", 1, FLOAT, CONV_ATTRS, (n, g) -> conv(n, g, false)),
        OnnxOp.of("ConvTranspose", 1, FLOAT, concat(CONV_ATTRS, List.of("output_padding", "output_shape")),
            (n, g) -> conv(n, g, true)),
        OnnxOp.of("MaxPool", 1, NUMERIC, List.of("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
            "storage_order", "strides"), (n, g) -> pool(n, g, "graph.max_pool")),
        OnnxOp.of("AveragePool", 1, FLOAT, List.of("auto_pad", "ceil_mode", "count_include_pad", "dilations",
            "kernel_shape", "pads", "strides"), (n, g) -> pool(n, g, "graph.average_pool")),
        OnnxOp.of("GlobalAveragePool", 1, FLOAT, List.of(), (n, g) -> unary(n, g, "graph.global_average_pool")),
        OnnxOp.of("GlobalMaxPool", 1, FLOAT, List.of(), (n, g) -> unary(n, g, "graph.global_max_pool")),
        OnnxOp.of("BatchNormalization", 1, FLOAT, List.of("epsilon", "momentum", "spatial", "training_mode",
            "is_test"),
            NeuralImports::batchNorm),
        OnnxOp.of("InstanceNormalization", 1, FLOAT, List.of("epsilon"), (n, g) -> {
          GraphImport.arity(n, 3, 3);
          return ShapeImports.one(g.op("graph.instance_norm", AttrList.of().f("epsilon", n.getFloat("epsilon", 1e-5))
              .build(), n.outputHint(0), g.in(n, 0), g.in(n, 1), g.in(n, 2)));
        }),
        OnnxOp.of("LRN", 1, FLOAT, List.of("alpha", "beta", "bias", "size"), NeuralImports::lrn),
        OnnxOp.of("LayerNormalization", 17, FLOAT, List.of("axis", "epsilon", "stash_type"), NeuralImports::layerNorm),
        OnnxOp.of("Softmax", 1, FLOAT, List.of("axis"), (n, g) -> softmax(n, g, "graph.softmax")),
        OnnxOp.of("LogSoftmax", 1, FLOAT, List.of("axis"), (n, g) -> softmax(n, g, "graph.log_softmax")),
        OnnxOp.of("ReduceSum", 1, NUMERIC, List.of("axes", "keepdims", "noop_with_empty_axes"),
            (n, g) -> reduce(n, g, "graph.reduce_sum", 13)),
        OnnxOp.of("ReduceMean", 1, NUMERIC, List.of("axes", "keepdims", "noop_with_empty_axes"),
            (n, g) -> reduce(n, g, "graph.reduce_mean", 18)),
        OnnxOp.of("ReduceMax", 1, OnnxOp.Types.ANY, List.of("axes", "keepdims", "noop_with_empty_axes"),
            (n, g) -> reduce(n, g, "graph.reduce_max", 18)));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    var l = new java.util.ArrayList<>(a);
    l.addAll(b);
    return l;
  }

  private static List<Value> unary(OnnxNode n, GraphImport g, String op) {
    GraphImport.arity(n, 1, 1);
    return ShapeImports.one(g.op(op, Attributes.EMPTY, n.outputHint(0), g.in(n, 0)));
  }

  /** Gemm: C is required before opset 11 and optional from 11 (the opset 7 'broadcast' attribute is implied). */
  private static List<Value> gemm(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, n.opset() < 11 ? 3 : 2, 3);
    var attrs = AttrList.of().f("alpha", n.getFloat("alpha", 1.0)).f("beta", n.getFloat("beta", 1.0))
        .i("trans_a", n.getInt("transA", 0)).i("trans_b", n.getInt("transB", 0)).build();
    Value c = g.optionalIn(n, 2);
    Value out = c == null ? g.op("graph.gemm", attrs, n.outputHint(0), g.in(n, 0), g.in(n, 1))
        : g.op("graph.gemm", attrs, n.outputHint(0), g.in(n, 0), g.in(n, 1), c);
    return ShapeImports.one(out);
  }

  /** Conv and ConvTranspose with 1 or 2 spatial dimensions (the weights' rank says which). */
  private static List<Value> conv(OnnxNode n, GraphImport g, boolean transposed) {
    GraphImport.arity(n, 2, 3);
    TensorType w = g.typeOf(n, 1);
    int spatial = w.rank() - 2;
    if (spatial == 3) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " is a 3-D convolution, which cimc does not "
          + "support", "cimc supports 1-D and 2-D convolutions");
    }
    if (spatial < 1 || spatial > 3) {
      throw new CimcException(n.location(), "the weights of " + n.describe() + " have type " + w + "; a convolution "
          + "needs weights of rank 3 (1-D) or 4 (2-D)", null);
    }
    var attrs = AttrList.of().ints("strides", n.getInts("strides")).ints("pads", n.getInts("pads"))
        .ints("dilations", n.getInts("dilations")).ints("kernel_shape", n.getInts("kernel_shape"))
        .s("auto_pad", n.getString("auto_pad", null));
    if (n.has("group")) {
      attrs.i("group", n.getInt("group", 1));
    }
    if (transposed) {
      attrs.ints("output_padding", n.getInts("output_padding")).ints("output_shape", n.getInts("output_shape"));
    }
    String op = "graph." + (transposed ? "conv_transpose" : "conv") + spatial + "d";
    Value b = g.optionalIn(n, 2);
    Value out = b == null ? g.op(op, attrs.build(), n.outputHint(0), g.in(n, 0), g.in(n, 1))
        : g.op(op, attrs.build(), n.outputHint(0), g.in(n, 0), g.in(n, 1), b);
    return ShapeImports.one(out);
  }

  /** MaxPool and AveragePool; MaxPool's Indices output is not supported. */
  private static List<Value> pool(OnnxNode n, GraphImport g, String op) {
    GraphImport.arity(n, 1, 1);
    if (n.hasOutput(1)) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " asks for the Indices output, which cimc "
          + "does not support", "use only the pooled values (output 0)");
    }
    var attrs = AttrList.of().ints("kernel_shape", n.requireInts("kernel_shape")).ints("strides", n.getInts("strides"))
        .ints("pads", n.getInts("pads")).ints("dilations", n.getInts("dilations"))
        .s("auto_pad", n.getString("auto_pad", null));
    if (n.has("ceil_mode")) {
      attrs.i("ceil_mode", n.getInt("ceil_mode", 0));
    }
    if (n.has("count_include_pad")) {
      attrs.i("count_include_pad", n.getInt("count_include_pad", 0));
    }
    return ShapeImports.one(g.op(op, attrs.build(), n.outputHint(0), g.in(n, 0)));
  }

  /**
   * BatchNormalization in inference form. momentum (and spatial, before opset 9) do not change inference;
   * the running-statistics outputs and training_mode exist only for training and are rejected.
   */
  private static List<Value> batchNorm(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 5, 5);
    if (n.getInt("training_mode", 0) != 0 || (n.opset() < 7 && n.getInt("is_test", 0) == 0)) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " runs in training mode, which cimc does not "
          + "support", "export the model for inference (training_mode = 0; is_test = 1 before opset 7)");
    }
    for (int i = 1; i < n.numOutputs(); i++) {
      if (n.hasOutput(i)) {
        throw new OnnxUnsupportedException(n.location(), n.describe() + " asks for its training output " + i + " ('"
            + n.output(i) + "'), which cimc does not support", "export the model for inference");
      }
    }
    Value[] in = new Value[5];
    for (int i = 0; i < 5; i++) {
      in[i] = g.in(n, i);
    }
    return ShapeImports.one(g.op("graph.batch_norm", AttrList.of().f("epsilon", n.getFloat("epsilon", 1e-5)).build(),
        n.outputHint(0), in));
  }

  /**
   * LayerNormalization. The optional Mean and InvStdDev outputs (statistics over the normalized axes, kept
   * as size-1 dimensions) are computed with reductions next to the normalization itself.
   */
  private static List<Value> layerNorm(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 2, 3);
    long axis = n.getInt("axis", -1);
    double epsilon = n.getFloat("epsilon", 1e-5);
    var attrs = AttrList.of().i("axis", axis).f("epsilon", epsilon).build();
    Value x = g.in(n, 0);
    Value b = g.optionalIn(n, 2);
    Value y = b == null ? g.op("graph.layer_norm", attrs, n.outputHint(0), x, g.in(n, 1))
        : g.op("graph.layer_norm", attrs, n.outputHint(0), x, g.in(n, 1), b);
    if (!n.hasOutput(1) && !n.hasOutput(2)) {
      return ShapeImports.one(y);
    }
    if (n.getInt("stash_type", 1) != 1 || x.type().elementType() != ElementType.F32) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " asks for its mean or inverse standard "
          + "deviation of a " + x.type().elementType() + " input with stash_type " + n.getInt("stash_type", 1)
          + "; cimc computes them for f32 inputs only", null);
    }
    int r = x.type().rank();
    if (axis < -r || axis >= r) {
      throw new CimcException(n.location(), "axis " + axis + " of " + n.describe() + " is out of range for "
          + x.type(), null);
    }
    int a = (int) (axis < 0 ? axis + r : axis);
    long[] axes = new long[r - a];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = a + i;
    }
    Attributes reduce = AttrList.of().ints("axes", axes).i("keepdims", 1).build();
    Value mean = g.op("graph.reduce_mean", reduce, n.outputHint(1), x);
    Value d = g.op("graph.sub", Attributes.EMPTY, null, x, mean);
    Value var = g.op("graph.reduce_mean", reduce, null, g.op("graph.mul", Attributes.EMPTY, null, d, d));
    Value eps = g.constant(dev.cimc.ir.tensor.Tensor.scalar((float) epsilon), null);
    Value inv = g.op("graph.reciprocal", Attributes.EMPTY, n.outputHint(2),
        g.op("graph.sqrt", Attributes.EMPTY, null, g.op("graph.add", Attributes.EMPTY, null, var, eps)));
    return java.util.Arrays.asList(y, mean, inv);
  }

  /**
   * LRN: y = x / (bias + alpha/size · Σ x²)^beta, the sum running over a window of {@code size} channels
   * (floor((size-1)/2) before, ceil((size-1)/2) after, clipped at the edges). The window sum is a
   * convolution of x² (viewed as N×1×C×S) with a size×1 kernel of ones and zero padding.
   */
  private static List<Value> lrn(OnnxNode n, GraphImport g) {
    GraphImport.arity(n, 1, 1);
    long size = n.requireInt("size");
    Value x = g.in(n, 0);
    TensorType t = x.type();
    if (size < 1 || t.rank() < 2) {
      throw new CimcException(n.location(), n.describe() + " needs size ≥ 1 and an input of rank ≥ 2 (N×C×...), got "
          + "size " + size + " and " + t, null);
    }
    ElementType et = t.elementType();
    long spatial = 1;
    for (int i = 2; i < t.rank(); i++) {
      spatial *= t.dim(i);
    }
    Value sq = g.op("graph.mul", Attributes.EMPTY, null, x, x);
    Value sq4 = g.op("graph.reshape", AttrList.of().ints("shape", new long[] {t.dim(0), 1, t.dim(1), spatial})
        .build(), null, sq);
    // A window reaching more than C - 1 channels beyond c covers no more channels: clip it there.
    long channels = Math.max(1, t.dim(1));
    long before = Math.min((size - 1) / 2, channels - 1);
    long after = Math.min(size - 1 - (size - 1) / 2, channels - 1);
    int window = (int) (before + after + 1);
    double[] ones = new double[window];
    java.util.Arrays.fill(ones, 1);
    Value kernel = g.constant(dev.cimc.ir.tensor.Tensor.fromDoubles(TensorType.of(et, 1, 1, window, 1), ones),
        null);
    Value sum4 = g.op("graph.conv2d", AttrList.of().ints("pads", new long[] {before, 0, after, 0}).build(), null,
        sq4, kernel);
    Value sum = g.op("graph.reshape", AttrList.of().ints("shape", ElementwiseImports.toLongs(t.shape().dims()))
        .build(), null, sum4);
    Value scaled = g.op("graph.add", Attributes.EMPTY, null,
        g.op("graph.mul", Attributes.EMPTY, null, sum, scalar(g, et, n.getFloat("alpha", 1e-4) / size)),
        scalar(g, et, n.getFloat("bias", 1.0)));
    Value den = g.op("graph.pow", Attributes.EMPTY, null, scaled, scalar(g, et, n.getFloat("beta", 0.75)));
    return ShapeImports.one(g.op("graph.div", Attributes.EMPTY, n.outputHint(0), x, den));
  }

  private static Value scalar(GraphImport g, ElementType et, double v) {
    return g.constant(dev.cimc.ir.tensor.Tensor.fromDoubles(TensorType.of(et), new double[] {v}), null);
  }

  /**
   * Softmax and LogSoftmax. From opset 13 they work along one axis (default -1). Before 13 they coerce the
   * input to 2-D at `axis` (default 1) and normalize each row: flatten, normalize along axis 1, reshape back,
   * which is one softmax along the last axis when `axis` is the last dimension.
   */
  private static List<Value> softmax(OnnxNode n, GraphImport g, String op) {
    GraphImport.arity(n, 1, 1);
    Value x = g.in(n, 0);
    if (n.opset() >= 13) {
      return ShapeImports.one(g.op(op, AttrList.of().i("axis", n.getInt("axis", -1)).build(), n.outputHint(0), x));
    }
    int r = x.type().rank();
    long axis = n.getInt("axis", 1);
    if (axis < -r || axis >= r) {
      throw new CimcException(n.location(), "axis " + axis + " of " + n.describe() + " is out of range for " + x.type(),
          null);
    }
    int a = (int) (axis < 0 ? axis + r : axis);
    if (a == r - 1) {
      return ShapeImports.one(g.op(op, AttrList.of().i("axis", -1).build(), n.outputHint(0), x));
    }
    String hint = n.outputHint(0);
    Value flat = g.op("graph.flatten", AttrList.of().i("axis", a).build(), hint == null ? null : hint + "_2d", x);
    Value y = g.op(op, AttrList.of().i("axis", 1).build(), hint == null ? null : hint + "_2d_" + op.substring(6), flat);
    long[] dims = ElementwiseImports.toLongs(x.type().shape().dims());
    return ShapeImports.one(g.op("graph.reshape", AttrList.of().ints("shape", dims).build(), hint, y));
  }

  /**
   * ReduceSum/Mean/Max: axes is an attribute before {@code axesInputSince} and an optional input from
   * then on (with noop_with_empty_axes).
   */
  private static List<Value> reduce(OnnxNode n, GraphImport g, String op, int axesInputSince) {
    var attrs = AttrList.of().i("keepdims", n.getInt("keepdims", 1));
    if (n.opset() < axesInputSince) {
      GraphImport.arity(n, 1, 1);
      attrs.ints("axes", n.getInts("axes"));
    } else {
      GraphImport.arity(n, 1, 2);
      ShapeImports.noAttribute(n, "axes");
      if (n.hasInput(1)) {
        attrs.ints("axes", g.requireLongs(n, 1, "axes"));
      }
      attrs.i("noop_with_empty_axes", n.getInt("noop_with_empty_axes", 0));
    }
    Value x = g.in(n, 0);
    if (!op.equals("graph.reduce_max") && x.type().elementType() == ElementType.BOOL) {
      throw new OnnxUnsupportedException(n.location(), n.describe() + " reduces a bool tensor, which cimc does not "
          + "support", null);
    }
    return ShapeImports.one(g.op(op, attrs.build(), n.outputHint(0), x));
  }
}
