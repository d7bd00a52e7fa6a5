package dev.cimc.tests.onnx;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Small graphs that together use every op of the graph and q dialects, with the attribute combinations
 * whose ONNX form differs (inputs instead of attributes, opset 18 attributes expanded, auto_pad, ...).
 * Attribute floats are chosen exactly representable in f32, as ONNX stores them, so an export-import
 * round trip gives the same graph. Inputs come from {@link #randomInputs}.
 */
final class ExportCases {
  private ExportCases() {}

  static final OpRegistry REGISTRY = Dialects.standard();

  /** One graph and a note on what it exercises. */
  record Case(String name, Graph graph) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case c(String name, Consumer<GraphBuilder> body) {
    var b = new GraphBuilder(name, REGISTRY);
    body.accept(b);
    return new Case(name, b.build());
  }

  private static Attributes a(Object... kv) {
    Object[] out = new Object[kv.length];
    for (int i = 0; i < kv.length; i += 2) {
      out[i] = kv[i];
      Object v = kv[i + 1];
      if (v instanceof Attribute attr) {
        out[i + 1] = attr;
      } else if (v instanceof Integer n) {
        out[i + 1] = Attribute.of((long) n);
      } else if (v instanceof Long n) {
        out[i + 1] = Attribute.of(n);
      } else if (v instanceof Double d) {
        out[i + 1] = Attribute.of(d);
      } else if (v instanceof String s) {
        out[i + 1] = Attribute.of(s);
      } else if (v instanceof int[] is) {
        out[i + 1] = Attribute.ints(is);
      } else if (v instanceof double[] ds) {
        out[i + 1] = Attribute.floats(ds);
      } else if (v instanceof ElementType et) {
        out[i + 1] = new Attribute.TypeAttr(et);
      } else if (v instanceof Tensor t) {
        out[i + 1] = new Attribute.TensorAttr(t);
      } else {
        throw new IllegalArgumentException("attribute value " + v);
      }
    }
    return Attributes.of(out);
  }

  private static int[] ints(int... v) {
    return v;
  }

  /** A float value in (0.5, 2.5]: |x| + 0.5, for ops that need positive operands. */
  private static Value positive(GraphBuilder b, Value x) {
    return b.op("graph.add", b.op("graph.abs", x), b.constant(Tensor.ofFloats(new int[0], 0.5f)));
  }

  private static Value rand(GraphBuilder b, String name, int seed, int... dims) {
    var r = new SplittableRandom(seed);
    float[] v = new float[(int) Shape.of(dims).numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return b.constant(name, Tensor.ofFloats(dims, v));
  }

  /** Float graph-dialect cases. */
  static List<Case> graphCases() {
    var l = new ArrayList<Case>();
    for (String op : new String[] {"abs", "neg", "exp", "erf", "sigmoid", "tanh", "relu", "identity", "hard_swish"}) {
      l.add(c(op, b -> b.output(b.op("graph." + op, b.input("x", TensorType.f32(2, 3, 4))))));
    }
    for (String op : new String[] {"log", "sqrt", "reciprocal"}) {
      l.add(c(op, b -> b.output(b.op("graph." + op, positive(b, b.input("x", TensorType.f32(2, 3, 4)))))));
    }
    l.add(c("leaky_relu", b -> b.output(b.op("graph.leaky_relu", a("alpha", 0.25), b.input("x", TensorType.f32(3, 4))))));
    l.add(c("hard_sigmoid", b -> b.output(b.op("graph.hard_sigmoid", a("alpha", 0.25, "beta", 0.375),
        b.input("x", TensorType.f32(3, 4))))));
    l.add(c("gelu", b -> b.output(b.op("graph.gelu", b.input("x", TensorType.f32(3, 8))))));
    l.add(c("gelu_tanh", b -> b.output(b.op("graph.gelu", a("approximate", "tanh"), b.input("x", TensorType.f32(3, 8))))));
    l.add(c("clip", b -> {
      Value x = b.input("x", TensorType.f32(3, 4));
      b.output(b.op("graph.clip", a("min", -0.5, "max", 0.75), x), b.op("graph.clip", a("max", 0.25), x),
          b.op("graph.clip", a("min", -0.25), x), b.op("graph.clip", x));
    }));
    l.add(c("clip_int", b -> b.output(b.op("graph.clip", a("min", -3.0, "max", 4.0),
        b.input("x", TensorType.of(ElementType.I32, 2, 5))))));
    for (String op : new String[] {"add", "sub", "mul"}) {
      l.add(c(op, b -> b.output(b.op("graph." + op, b.input("x", TensorType.f32(2, 3, 4)), b.input("y", TensorType.f32(4))))));
    }
    l.add(c("div", b -> b.output(b.op("graph.div", b.input("x", TensorType.f32(2, 3)),
        positive(b, b.input("y", TensorType.f32(2, 1)))))));
    l.add(c("pow", b -> b.output(b.op("graph.pow", positive(b, b.input("x", TensorType.f32(2, 3))),
        b.input("y", TensorType.f32(2, 3))))));
    l.add(c("int_arith", b -> {
      Value x = b.input("x", TensorType.of(ElementType.I64, 2, 3));
      Value y = b.input("y", TensorType.of(ElementType.I64, 3));
      b.output(b.op("graph.add", x, y), b.op("graph.mul", x, y), b.op("graph.sub", x, y));
    }));
    l.add(c("prelu", b -> b.output(b.op("graph.prelu", b.input("x", TensorType.f32(1, 3, 4, 4)),
        rand(b, "slope", 1, 3, 1, 1)))));
    l.add(c("max_min", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      Value y = b.input("y", TensorType.f32(3));
      Value z = b.input("z", TensorType.f32(2, 1));
      b.output(b.op("graph.max", x, y, z), b.op("graph.min", x, y, z));
    }));
    l.add(c("matmul", b -> b.output(b.op("graph.matmul", b.input("x", TensorType.f32(2, 3, 4)), rand(b, "w", 2, 4, 5)))));
    l.add(c("gemm", b -> b.output(b.op("graph.gemm", a("alpha", 0.5, "beta", 2.0, "trans_b", 1),
        b.input("x", TensorType.f32(3, 4)), rand(b, "w", 3, 5, 4), rand(b, "bias", 4, 5)))));
    l.add(c("gemm_trans_a", b -> b.output(b.op("graph.gemm", a("trans_a", 1),
        b.input("x", TensorType.f32(4, 3)), rand(b, "w", 5, 4, 6)))));
    l.add(c("conv2d", b -> b.output(b.op("graph.conv2d", a("strides", ints(2, 2), "pads", ints(1, 1, 1, 1),
        "dilations", ints(1, 2)), b.input("x", TensorType.f32(1, 3, 9, 9)), rand(b, "w", 6, 4, 3, 3, 3),
        rand(b, "b", 7, 4)))));
    l.add(c("conv2d_depthwise_same", b -> b.output(b.op("graph.conv2d", a("group", 4, "auto_pad", "SAME_UPPER",
        "strides", ints(2, 2)), b.input("x", TensorType.f32(1, 4, 7, 8)), rand(b, "w", 8, 4, 1, 3, 3)))));
    l.add(c("fused_conv2d", b -> {
      Value x = b.input("x", TensorType.f32(1, 4, 6, 6));
      Value w = rand(b, "w", 21, 4, 2, 3, 3);
      b.output(b.op("graph.fused_conv2d", a("group", 2, "pads", ints(1, 1, 1, 1), "activation", "relu6"), x, w,
          rand(b, "b", 22, 4)), b.op("graph.fused_conv2d", a("group", 2, "activation", "leaky_relu", "slope", 0.25), x,
          w), b.op("graph.fused_conv2d", a("group", 2, "activation", "clip", "min", -0.5), x, w));
    }));
    l.add(c("fused_gemm", b -> b.output(b.op("graph.fused_gemm", a("trans_b", 1, "activation", "sigmoid"),
        b.input("x", TensorType.f32(3, 4)), rand(b, "w", 23, 5, 4), rand(b, "bias", 24, 5)))));
    l.add(c("fused_add", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      Value y = b.input("y", TensorType.f32(3));
      b.output(b.op("graph.fused_add", a("activation", "relu"), x, y),
          b.op("graph.fused_add", a("activation", "hard_swish"), x, y));
    }));
    l.add(c("conv1d", b -> b.output(b.op("graph.conv1d", a("pads", ints(2, 1), "kernel_shape", ints(3)),
        b.input("x", TensorType.f32(2, 3, 10)), rand(b, "w", 9, 5, 3, 3), rand(b, "b", 10, 5)))));
    l.add(c("conv_transpose2d", b -> b.output(b.op("graph.conv_transpose2d", a("strides", ints(2, 2),
        "pads", ints(1, 0, 1, 0), "output_padding", ints(1, 1)), b.input("x", TensorType.f32(1, 3, 5, 4)),
        rand(b, "w", 11, 3, 2, 3, 3), rand(b, "b", 12, 2)))));
    l.add(c("conv_transpose1d", b -> b.output(b.op("graph.conv_transpose1d", a("group", 2, "dilations", ints(2)),
        b.input("x", TensorType.f32(1, 4, 6)), rand(b, "w", 13, 4, 3, 3)))));
    l.add(c("max_pool", b -> {
      Value x = b.input("x", TensorType.f32(1, 2, 9, 9));
      b.output(b.op("graph.max_pool", a("kernel_shape", ints(3, 3), "strides", ints(2, 2), "pads", ints(1, 1, 1, 1),
          "ceil_mode", 1), x),
          b.op("graph.max_pool", a("kernel_shape", ints(2, 2), "dilations", ints(2, 2)), x),
          b.op("graph.max_pool", a("kernel_shape", ints(3, 3), "auto_pad", "SAME_LOWER", "strides", ints(2, 2)), x));
    }));
    l.add(c("average_pool", b -> {
      Value x = b.input("x", TensorType.f32(1, 2, 8, 7));
      b.output(b.op("graph.average_pool", a("kernel_shape", ints(3, 3), "pads", ints(1, 1, 1, 1),
          "count_include_pad", 1), x),
          b.op("graph.average_pool", a("kernel_shape", ints(3, 2), "pads", ints(1, 0, 1, 1), "strides", ints(2, 2)), x),
          b.op("graph.average_pool", a("kernel_shape", ints(2, 2), "ceil_mode", 1, "strides", ints(2, 2)), x));
    }));
    l.add(c("global_pools", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 5, 4));
      b.output(b.op("graph.global_average_pool", x), b.op("graph.global_max_pool", x));
    }));
    l.add(c("batch_norm", b -> b.output(b.op("graph.batch_norm", a("epsilon", 0.0009765625),
        b.input("x", TensorType.f32(2, 3, 4, 4)), rand(b, "scale", 14, 3), rand(b, "bias", 15, 3),
        rand(b, "mean", 16, 3), positive(b, rand(b, "var", 17, 3))))));
    l.add(c("layer_norm", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 8));
      b.output(b.op("graph.layer_norm", x, rand(b, "gamma", 18, 8), rand(b, "beta", 19, 8)),
          b.op("graph.layer_norm", a("axis", 1, "epsilon", 0.001953125), x, rand(b, "gamma2", 20, 3, 8)));
    }));
    l.add(c("instance_norm", b -> b.output(b.op("graph.instance_norm", b.input("x", TensorType.f32(2, 3, 5, 4)),
        rand(b, "scale", 21, 3), rand(b, "bias", 22, 3)))));
    l.add(c("softmax", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 5));
      b.output(b.op("graph.softmax", a("axis", 1), x), b.op("graph.log_softmax", x));
    }));
    l.add(c("reduce", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4));
      b.output(b.op("graph.reduce_sum", a("axes", ints(1), "keepdims", 0), x), b.op("graph.reduce_sum", x),
          b.op("graph.reduce_mean", a("axes", ints(-1)), x),
          b.op("graph.reduce_max", a("axes", ints(0, 2), "keepdims", 0), x),
          b.op("graph.reduce_max", x),
          b.op("graph.reduce_sum", a("noop_with_empty_axes", 1), x),
          b.op("graph.reduce_mean", a("axes", new Attribute.IntsAttr(new long[0]), "noop_with_empty_axes", 1), x));
    }));
    l.add(c("shapes", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4));
      b.output(b.op("graph.reshape", a("shape", ints(-1, 6)), x), b.op("graph.reshape", a("shape", ints(0, 12)), x),
          b.op("graph.flatten", a("axis", 2), x), b.op("graph.transpose", a("perm", ints(1, 2, 0)), x),
          b.op("graph.transpose", x), b.op("graph.unsqueeze", a("axes", ints(0, 3)), x));
    }));
    l.add(c("squeeze", b -> {
      Value x = b.input("x", TensorType.f32(1, 3, 1, 2));
      b.output(b.op("graph.squeeze", a("axes", ints(-2)), x), b.op("graph.squeeze", x));
    }));
    l.add(c("shape", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4, 5));
      b.output(b.op("graph.shape", x), b.op("graph.shape", a("start", 1, "end", -1), x));
    }));
    l.add(c("constant_of_shape", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      Value filled = b.op("graph.constant_of_shape", a("shape", ints(2, 3), "value", Tensor.ofFloats(new int[] {1}, 1.5f)));
      b.output(b.op("graph.add", x, filled), b.op("graph.constant_of_shape", a("shape", ints(4))),
          b.op("graph.constant_of_shape", a("shape", ints(2), "value", Tensor.ofLongs(new int[] {1}, 7L))));
    }));
    l.add(c("concat_split", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      Value y = b.input("y", TensorType.f32(2, 4));
      Value cat = b.op("graph.concat", a("axis", -1), x, y, x);
      List<Value> parts = b.ops("graph.split", a("axis", 1, "split", ints(2, 5, 3)), 3, cat);
      List<Value> equal = b.ops("graph.split", a("axis", 1), 2, cat);
      List<Value> uneven = b.ops("graph.split", a("axis", 1, "num_outputs", 3), 3, b.op("graph.concat", a("axis", 1), x, y));
      b.output(cat);
      parts.forEach(b::output);
      equal.forEach(b::output);
      uneven.forEach(b::output);
    }));
    l.add(c("slice", b -> {
      Value x = b.input("x", TensorType.f32(4, 6, 5));
      b.output(b.op("graph.slice", a("starts", ints(1, 0), "ends", ints(3, 100)), x),
          b.op("graph.slice", a("starts", ints(-1, 4), "ends", ints(-100, 0), "axes", ints(2, 1),
              "steps", ints(-2, -1)), x),
          b.op("graph.slice", a("starts", ints(0, 0), "ends", ints(4, 5), "steps", ints(2, 3)), x));
    }));
    l.add(c("gather", b -> {
      Value x = b.input("x", TensorType.f32(3, 4, 2));
      b.output(b.op("graph.gather", a("axis", 1), x, b.constant("idx", Tensor.ofLongs(new int[] {2, 2}, 0, -1, 3, 1))),
          b.op("graph.gather", x, b.constant("idx0", Tensor.ofLongs(new int[0], 2))));
    }));
    l.add(c("pad", b -> {
      Value x = b.input("x", TensorType.f32(1, 2, 4, 5));
      b.output(b.op("graph.pad", a("pads", ints(1, 2, 0, 1), "axes", ints(2, -1), "value", 1.5), x),
          b.op("graph.pad", a("pads", ints(0, 0, 2, 1, 0, 0, 1, 3), "mode", "reflect"), x),
          b.op("graph.pad", a("pads", ints(0, 0, 1, -1, 0, 0, 2, 2), "mode", "edge"), x));
    }));
    l.add(c("resize", b -> {
      Value x = b.input("x", TensorType.f32(1, 2, 4, 8));
      b.output(b.op("graph.resize", a("scales", new double[] {1, 1, 2, 2}, "coordinate_transformation_mode", "asymmetric",
          "nearest_mode", "floor"), x),
          b.op("graph.resize", a("mode", "linear", "sizes", ints(7, 3), "axes", ints(2, 3)), x),
          b.op("graph.resize", a("mode", "linear", "scales", new double[] {1.5, 0.75}, "axes", ints(-2, -1),
              "coordinate_transformation_mode", "align_corners"), x),
          b.op("graph.resize", a("sizes", ints(1, 2, 6, 9), "coordinate_transformation_mode", "pytorch_half_pixel",
              "nearest_mode", "round_prefer_ceil"), x));
    }));
    l.add(c("cast", b -> {
      Value x = b.input("x", TensorType.f32(2, 5));
      Value scaled = b.op("graph.mul", x, b.constant(Tensor.ofFloats(new int[0], 10f)));
      b.output(b.op("graph.cast", a("to", ElementType.I32), scaled),
          b.op("graph.cast", a("to", ElementType.F32), b.op("graph.cast", a("to", ElementType.F16), x)),
          b.op("graph.cast", a("to", ElementType.F64), x), b.op("graph.cast", a("to", ElementType.I64), scaled),
          b.op("graph.cast", a("to", ElementType.BOOL), b.op("graph.relu", x)));
    }));
    l.add(c("constant_output", b -> {
      Value x = b.input("x", TensorType.f32(2));
      Value k = b.constant("k", Tensor.ofFloats(new int[] {2}, 1f, 2f));
      Value s = b.op("graph.add", x, k);
      b.output(s, k, s, x);
    }));
    return l;
  }

  private static TensorType q(ElementType et, double scale, long zp, int... dims) {
    return new TensorType(et, Shape.of(dims), QuantParams.perTensor(scale, zp));
  }

  private static Value quantize(GraphBuilder b, Value x, TensorType to) {
    return b.node(REGISTRY.get("q.quantize"), List.of(x), Attributes.EMPTY, List.of(to), null).result();
  }

  /** A weight tensor quantized per output channel (axis 0), symmetric, as a quantized constant. */
  private static Value perChannelWeights(GraphBuilder b, String name, ElementType et, int seed, int... dims) {
    var r = new SplittableRandom(seed);
    int channels = dims[0];
    double[] scales = new double[channels];
    long[] zps = new long[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = Math.scalb(1.0, -6 - c % 3) * 1.25;
    }
    var type = new TensorType(et, Shape.of(dims), QuantParams.perAxis(0, scales, zps));
    long[] v = new long[(int) type.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = et.minValue() + 1 + r.nextLong(et.maxValue() - et.minValue());
    }
    return b.constant(name, Tensor.fromLongs(type, v));
  }

  /** Quantized (QDQ) cases; f32-exact scales so ONNX's f32 scale equals cimc's. */
  static List<Case> qdqCases() {
    var l = new ArrayList<Case>();
    l.add(c("qdq_per_tensor", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 8));
      Value qx = quantize(b, x, q(ElementType.U8, 0.0078125, 128, 2, 3, 8));
      Value y = b.op("graph.relu", b.op("q.dequantize", qx));
      Value qy = quantize(b, y, q(ElementType.I8, 0.00390625 * 1.5, -3, 2, 3, 8));
      b.output(qx, qy, b.op("q.dequantize", qy));
    }));
    l.add(c("qdq_conv_per_channel", b -> {
      Value x = b.input("x", TensorType.f32(1, 3, 8, 8));
      Value qx = quantize(b, x, q(ElementType.U8, 0.015625, 120, 1, 3, 8, 8));
      Value w = b.op("q.dequantize", perChannelWeights(b, "w_q", ElementType.I8, 31, 4, 3, 3, 3));
      Value conv = b.op("graph.conv2d", a("pads", ints(1, 1, 1, 1)), b.op("q.dequantize", qx), w, rand(b, "bias", 32, 4));
      Value relu = b.op("graph.relu", conv);
      Value qy = quantize(b, relu, q(ElementType.U8, 0.0625, 0, 1, 4, 8, 8));
      b.output(qy, b.op("q.dequantize", qy));
    }));
    l.add(c("qdq_per_axis_activation", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4));
      var qp = QuantParams.perAxis(1, new double[] {0.0078125, 0.015625, 0.03125}, new long[] {0, 10, -20});
      Value qx = quantize(b, x, new TensorType(ElementType.I8, Shape.of(2, 3, 4), qp));
      b.output(qx, b.op("q.dequantize", qx));
    }));
    l.add(c("qdq_sub_byte", b -> {
      Value x = b.input("x", TensorType.f32(4, 16));
      Value q4 = quantize(b, x, q(ElementType.I4, 0.125, 1, 4, 16));
      Value u4 = quantize(b, x, q(ElementType.U4, 0.125, 8, 4, 16));
      Value u2 = quantize(b, x, q(ElementType.U2, 0.5, 2, 4, 16));
      Value w = b.op("q.dequantize", perChannelWeights(b, "w4", ElementType.I4, 33, 16, 8));
      Value mm = b.op("graph.matmul", b.op("q.dequantize", q4), w);
      b.output(q4, u4, u2, b.op("q.dequantize", u4), b.op("q.dequantize", u2), mm);
    }));
    l.add(c("qdq_int32_bias", b -> {
      Value x = b.input("x", TensorType.f32(3, 4));
      var qp = QuantParams.perAxis(0, new double[] {0.001953125, 0.0009765625, 0.00048828125, 0.000244140625},
          new long[4]);
      Value bias = b.constant("bias_q", Tensor.fromLongs(new TensorType(ElementType.I32, Shape.of(4), qp),
          new long[] {1000, -2000, 30000, -4}));
      b.output(b.op("graph.add", x, b.op("q.dequantize", bias)));
    }));
    l.add(c("qdq_reshape_int8", b -> {
      Value x = b.input("x", TensorType.f32(2, 6));
      Value qx = quantize(b, x, q(ElementType.I8, 0.0078125, 5, 2, 6));
      Value r = b.op("graph.transpose", b.op("graph.reshape", a("shape", ints(3, 4)), qx));
      b.output(r, b.op("q.dequantize", r));
    }));
    return l;
  }

  /** Seeded inputs for every graph input: floats uniform in [-2, 2), integers in a small range. */
  static Map<String, Tensor> randomInputs(Graph g, long seed) {
    var r = new SplittableRandom(seed);
    var m = new java.util.LinkedHashMap<String, Tensor>();
    for (Value in : g.inputs()) {
      TensorType t = in.type();
      int n = (int) t.numel();
      if (t.elementType().isFloat()) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
          v[i] = r.nextDouble() * 4 - 2;
        }
        m.put(in.name(), Tensor.fromDoubles(t, v));
      } else {
        long lo = Math.max(-50, t.elementType().minValue());
        long hi = Math.min(50, t.elementType().maxValue());
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
          v[i] = lo + r.nextLong(hi - lo + 1);
        }
        m.put(in.name(), Tensor.fromLongs(t, v));
      }
    }
    return m;
  }

  /** The names of the ops the cases use. */
  static TreeSet<String> opsUsed(List<Case> cases) {
    var s = new TreeSet<String>();
    for (Case k : cases) {
      for (Node n = k.graph().first(); n != null; n = n.next()) {
        s.add(n.op().fullName());
      }
    }
    return s;
  }
}
