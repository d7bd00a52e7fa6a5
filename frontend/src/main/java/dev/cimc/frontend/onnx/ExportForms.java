package dev.cimc.frontend.onnx;

import static dev.cimc.frontend.onnx.ExportContext.unsupported;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ONNX opset 17 form of every exportable op, as a table from op name to writer. Attribute names and
 * defaults follow the opset 17 versions of the operators: inputs that opset 17 takes as tensors (Reshape
 * shape, Slice starts/ends/axes/steps, Clip min/max, Pad pads, Squeeze/Unsqueeze axes, Split split,
 * ReduceSum axes, Resize scales/sizes) become int64 or f32 initializers; ReduceMean and ReduceMax take
 * {@code axes} as an attribute (it became an input only in opset 18). Attributes that exist only in later
 * opsets (Pad axes, Resize axes, Split num_outputs) are expanded into their opset 17 equivalent when the
 * shapes allow it; what cannot be expressed (Gelu is opset 20, wrap padding opset 19, ...) is reported.
 */
final class ExportForms {
  private ExportForms() {}

  /** Writes the ONNX node(s) for one cimc node. */
  @FunctionalInterface
  interface Form {
    void write(Node n, ExportContext cx);
  }

  private static final Map<String, Form> FORMS = build();

  /** The form of an op, or null when the op has none. */
  static Form of(String opFullName) {
    return FORMS.get(opFullName);
  }

  /** Every op name with an ONNX form. */
  static Iterable<String> names() {
    return FORMS.keySet();
  }

  private static Map<String, Form> build() {
    var m = new LinkedHashMap<String, Form>();
    for (String[] p : new String[][] {
        {"abs", "Abs"}, {"neg", "Neg"}, {"exp", "Exp"}, {"log", "Log"}, {"sqrt", "Sqrt"}, {"erf", "Erf"},
        {"sigmoid", "Sigmoid"}, {"tanh", "Tanh"}, {"reciprocal", "Reciprocal"}, {"relu", "Relu"},
        {"identity", "Identity"}, {"hard_swish", "HardSwish"}, {"add", "Add"}, {"sub", "Sub"}, {"mul", "Mul"},
        {"div", "Div"}, {"pow", "Pow"}, {"prelu", "PRelu"}, {"max", "Max"}, {"min", "Min"}, {"matmul", "MatMul"},
        {"global_average_pool", "GlobalAveragePool"}, {"global_max_pool", "GlobalMaxPool"}}) {
      m.put("graph." + p[0], same(p[1]));
    }
    m.put("graph.leaky_relu", (n, cx) -> same(cx, "LeakyRelu", n).attr("alpha", n.floatAttr("alpha")).done());
    m.put("graph.hard_sigmoid", (n, cx) -> same(cx, "HardSigmoid", n)
        .attr("alpha", n.floatAttr("alpha")).attr("beta", n.floatAttr("beta")).done());
    m.put("graph.clip", ExportForms::clip);
    m.put("graph.gelu", ExportForms::gelu);
    m.put("graph.cast", ExportForms::cast);
    m.put("graph.softmax", (n, cx) -> same(cx, "Softmax", n).attr("axis", n.intAttr("axis")).done());
    m.put("graph.log_softmax", (n, cx) -> same(cx, "LogSoftmax", n).attr("axis", n.intAttr("axis")).done());
    m.put("graph.batch_norm", (n, cx) -> same(cx, "BatchNormalization", n)
        .attr("epsilon", n.floatAttr("epsilon")).done());
    m.put("graph.instance_norm", (n, cx) -> same(cx, "InstanceNormalization", n)
        .attr("epsilon", n.floatAttr("epsilon")).done());
    m.put("graph.layer_norm", (n, cx) -> same(cx, "LayerNormalization", n)
        .attr("axis", n.intAttr("axis")).attr("epsilon", n.floatAttr("epsilon")).done());
    m.put("graph.gemm", (n, cx) -> gemmAttributes(same(cx, "Gemm", n), n).done());
    m.put("graph.conv1d", (n, cx) -> conv(n, cx, "Conv"));
    m.put("graph.conv2d", (n, cx) -> conv(n, cx, "Conv"));
    m.put("graph.conv_transpose1d", (n, cx) -> conv(n, cx, "ConvTranspose"));
    m.put("graph.conv_transpose2d", (n, cx) -> conv(n, cx, "ConvTranspose"));
    m.put("graph.max_pool", (n, cx) -> pool(n, cx, "MaxPool"));
    m.put("graph.average_pool", (n, cx) -> pool(n, cx, "AveragePool"));
    m.put("graph.reduce_sum", ExportForms::reduceSum);
    m.put("graph.reduce_mean", (n, cx) -> reduceWithAxesAttribute(n, cx, "ReduceMean"));
    m.put("graph.reduce_max", (n, cx) -> reduceWithAxesAttribute(n, cx, "ReduceMax"));
    m.put("graph.reshape", (n, cx) -> {
      var w = cx.node("Reshape", n).in(n.operand(0)).in(cx.int64s(outName(n) + "_shape", n.intsAttr("shape")))
          .out(n.result());
      if (n.intAttr("allowzero") != 0) {
        w.attr("allowzero", 1L);
      }
      w.done();
    });
    m.put("graph.flatten", (n, cx) -> same(cx, "Flatten", n).attr("axis", n.intAttr("axis")).done());
    m.put("graph.squeeze", (n, cx) -> {
      var w = cx.node("Squeeze", n).in(n.operand(0));
      if (n.attr("axes") != null) {
        w.in(cx.int64s(outName(n) + "_axes", n.intsAttr("axes")));
      }
      w.out(n.result()).done();
    });
    m.put("graph.unsqueeze", (n, cx) -> cx.node("Unsqueeze", n).in(n.operand(0))
        .in(cx.int64s(outName(n) + "_axes", n.intsAttr("axes"))).out(n.result()).done());
    m.put("graph.transpose", (n, cx) -> {
      var w = same(cx, "Transpose", n);
      if (n.attr("perm") != null) {
        w.attr("perm", n.intsAttr("perm"));
      }
      w.done();
    });
    m.put("graph.shape", (n, cx) -> {
      var w = same(cx, "Shape", n);
      if (n.intAttr("start") != 0) {
        w.attr("start", n.intAttr("start"));
      }
      if (n.attr("end") != null) {
        w.attr("end", n.intAttr("end"));
      }
      w.done();
    });
    m.put("graph.constant_of_shape", ExportForms::constantOfShape);
    m.put("graph.concat", (n, cx) -> same(cx, "Concat", n).attr("axis", n.intAttr("axis")).done());
    m.put("graph.split", ExportForms::split);
    m.put("graph.slice", ExportForms::slice);
    m.put("graph.gather", (n, cx) -> same(cx, "Gather", n).attr("axis", n.intAttr("axis")).done());
    m.put("graph.pad", ExportForms::pad);
    m.put("graph.resize", ExportForms::resize);
    m.put("graph.fused_conv2d", (n, cx) -> fused(n, cx, "Conv"));
    m.put("graph.fused_gemm", (n, cx) -> fused(n, cx, "Gemm"));
    m.put("graph.fused_add", (n, cx) -> fused(n, cx, "Add"));
    m.put("q.quantize", ExportForms::quantize);
    m.put("q.dequantize", ExportForms::dequantize);
    return Collections.unmodifiableMap(m);
  }

  /** The op with the same operands and results as the cimc node, no attributes. */
  private static Form same(String opType) {
    return (n, cx) -> same(cx, opType, n).done();
  }

  private static ExportContext.NodeWriter same(ExportContext cx, String opType, Node n) {
    var w = cx.node(opType, n).in(n.operands());
    for (Value r : n.results()) {
      w.out(r);
    }
    return w;
  }

  private static String outName(Node n) {
    return n.result(0).name();
  }

  private static ElementType elementType(Value v) {
    return v.type().elementType();
  }

  /** Clip-13: the bounds are optional scalar inputs of the operand's element type. */
  private static void clip(Node n, ExportContext cx) {
    Attribute min = n.attr("min");
    Attribute max = n.attr("max");
    ElementType et = elementType(n.operand(0));
    var w = cx.node("Clip", n).in(n.operand(0));
    if (min != null || max != null) {
      w.in(min == null ? "" : cx.scalar(outName(n) + "_min", et, bound(min, et, n)));
    }
    if (max != null) {
      w.in(cx.scalar(outName(n) + "_max", et, bound(max, et, n)));
    }
    w.out(n.result()).done();
  }

  private static double bound(Attribute a, ElementType et, Node n) {
    double v = ((Attribute.FloatAttr) a).value();
    if (!et.isFloat() && v != Math.rint(v)) {
      throw unsupported("the bound " + v + " is not a value of " + et);
    }
    return v;
  }

  /**
   * Gelu is an opset 20 operator; opset 17 writes its formula: {@code 0.5·x·(1 + erf(x/√2))}, or with
   * {@code approximate = "tanh"}, {@code 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
   */
  private static void gelu(Node n, ExportContext cx) {
    Value x = n.operand(0);
    ElementType et = elementType(x);
    String base = outName(n);
    String inner;
    if (n.stringAttr("approximate").equals("tanh")) {
      String x2 = cx.freshName(base + "_x2");
      cx.node("Mul", n).in(x).in(x).out(x2).done();
      String x3 = cx.freshName(base + "_x3");
      cx.node("Mul", n).in(x2).in(x).out(x3).done();
      String cubic = cx.freshName(base + "_cubic");
      cx.node("Mul", n).in(x3).in(cx.scalar(base + "_c0", et, 0.044715)).out(cubic).done();
      String sum = cx.freshName(base + "_inner");
      cx.node("Add", n).in(x).in(cubic).out(sum).done();
      String scaled = cx.freshName(base + "_scaled");
      cx.node("Mul", n).in(sum).in(cx.scalar(base + "_c1", et, Math.sqrt(2 / Math.PI))).out(scaled).done();
      inner = cx.freshName(base + "_tanh");
      cx.node("Tanh", n).in(scaled).out(inner).done();
    } else {
      String scaled = cx.freshName(base + "_scaled");
      cx.node("Div", n).in(x).in(cx.scalar(base + "_sqrt2", et, Math.sqrt(2))).out(scaled).done();
      inner = cx.freshName(base + "_erf");
      cx.node("Erf", n).in(scaled).out(inner).done();
    }
    String onePlus = cx.freshName(base + "_one_plus");
    cx.node("Add", n).in(inner).in(cx.scalar(base + "_one", et, 1)).out(onePlus).done();
    String times = cx.freshName(base + "_times_x");
    cx.node("Mul", n).in(x).in(onePlus).out(times).done();
    cx.node("Mul", n).in(times).in(cx.scalar(base + "_half", et, 0.5)).out(n.result()).done();
  }

  private static void cast(Node n, ExportContext cx) {
    ElementType to = ((Attribute.TypeAttr) n.attr("to")).value();
    if (ExportTensors.isSubByte(to)) {
      throw unsupported("opset 17 has no " + to + " type to cast to");
    }
    same(cx, "Cast", n).attr("to", (long) ExportTensors.dataType(to)).done();
  }

  /** Conv and ConvTranspose: explicit pads only without auto_pad (ONNX forbids both). */
  private static void conv(Node n, ExportContext cx, String opType) {
    convAttributes(same(cx, opType, n), n, opType).done();
  }

  private static ExportContext.NodeWriter gemmAttributes(ExportContext.NodeWriter w, Node n) {
    return w.attr("alpha", n.floatAttr("alpha")).attr("beta", n.floatAttr("beta"))
        .attr("transA", n.intAttr("trans_a")).attr("transB", n.intAttr("trans_b"));
  }

  /**
   * A fused op (graph.fused_conv2d, fused_gemm, fused_add): its linear op writes a fresh tensor, then the
   * activation (Relu, Clip, LeakyRelu, HardSwish or Sigmoid) reads it and writes the result. The bn_stats
   * attribute has no ONNX form and is dropped.
   */
  private static void fused(Node n, ExportContext cx, String linear) {
    String act = n.stringAttr("activation");
    String mid = act.equals("none") ? null : cx.freshName(outName(n) + "_linear");
    var w = cx.node(linear, n).in(n.operands());
    if (mid == null) {
      w.out(n.result());
    } else {
      w.out(mid);
    }
    if (linear.equals("Conv")) {
      convAttributes(w, n, linear);
    } else if (linear.equals("Gemm")) {
      gemmAttributes(w, n);
    }
    w.done();
    if (mid == null) {
      return;
    }
    ElementType et = elementType(n.result());
    switch (act) {
      case "relu" -> cx.node("Relu", n).in(mid).out(n.result()).done();
      case "hard_swish" -> cx.node("HardSwish", n).in(mid).out(n.result()).done();
      case "sigmoid" -> cx.node("Sigmoid", n).in(mid).out(n.result()).done();
      case "leaky_relu" -> cx.node("LeakyRelu", n).in(mid).out(n.result()).attr("alpha", n.floatAttr("slope")).done();
      case "relu6", "clip" -> {
        Attribute lo = act.equals("relu6") ? Attribute.of(0.0) : n.attr("min");
        Attribute hi = act.equals("relu6") ? Attribute.of(6.0) : n.attr("max");
        var c = cx.node("Clip", n).in(mid);
        if (lo != null || hi != null) {
          c.in(lo == null ? "" : cx.scalar(outName(n) + "_min", et, ((Attribute.FloatAttr) lo).value()));
        }
        if (hi != null) {
          c.in(cx.scalar(outName(n) + "_max", et, ((Attribute.FloatAttr) hi).value()));
        }
        c.out(n.result()).done();
      }
      default -> throw unsupported("activation '" + act + "' has no ONNX form");
    }
  }

  private static ExportContext.NodeWriter convAttributes(ExportContext.NodeWriter w, Node n, String opType) {
    String autoPad = n.stringAttr("auto_pad");
    if (!autoPad.equals("NOTSET")) {
      w.attr("auto_pad", autoPad);
    } else {
      w.attr("pads", n.intsAttr("pads"));
    }
    w.attr("dilations", n.intsAttr("dilations")).attr("group", n.intAttr("group")).attr("strides", n.intsAttr("strides"));
    if (n.attr("kernel_shape") != null) {
      w.attr("kernel_shape", n.intsAttr("kernel_shape"));
    }
    if (opType.equals("ConvTranspose")) {
      w.attr("output_padding", n.intsAttr("output_padding"));
      if (n.attr("output_shape") != null) {
        w.attr("output_shape", n.intsAttr("output_shape"));
      }
    }
    return w;
  }

  /** MaxPool-12 and AveragePool-11 (which has no dilations: they arrived in opset 19). */
  private static void pool(Node n, ExportContext cx, String opType) {
    boolean average = opType.equals("AveragePool");
    if (average && n.attr("dilations") != null && !allEqual(n.intsAttr("dilations"), 1)) {
      throw unsupported("AveragePool takes dilations only from opset 19, got "
          + Arrays.toString(n.intsAttr("dilations")));
    }
    var w = same(cx, opType, n).attr("kernel_shape", n.intsAttr("kernel_shape"));
    String autoPad = n.stringAttr("auto_pad");
    if (!autoPad.equals("NOTSET")) {
      w.attr("auto_pad", autoPad);
    } else if (n.attr("pads") != null) {
      w.attr("pads", n.intsAttr("pads"));
    }
    if (n.attr("strides") != null) {
      w.attr("strides", n.intsAttr("strides"));
    }
    if (!average && n.attr("dilations") != null) {
      w.attr("dilations", n.intsAttr("dilations"));
    }
    if (n.intAttr("ceil_mode") != 0) {
      w.attr("ceil_mode", n.intAttr("ceil_mode"));
    }
    if (average) {
      w.attr("count_include_pad", n.intAttr("count_include_pad"));
    }
    w.done();
  }

  private static boolean allEqual(long[] vs, long v) {
    for (long x : vs) {
      if (x != v) {
        return false;
      }
    }
    return true;
  }

  /** True when the reduction reduces nothing (no axes with noop_with_empty_axes), i.e. is an identity. */
  private static boolean reducesNothing(Node n) {
    Attribute axes = n.attr("axes");
    return n.intAttr("noop_with_empty_axes") != 0 && (axes == null || ((Attribute.IntsAttr) axes).size() == 0);
  }

  /** ReduceSum-13: axes as an optional input; an empty or missing list reduces every axis. */
  private static void reduceSum(Node n, ExportContext cx) {
    if (reducesNothing(n)) {
      same(cx, "Identity", n).done();
      return;
    }
    var w = cx.node("ReduceSum", n).in(n.operand(0));
    Attribute axes = n.attr("axes");
    if (axes != null && ((Attribute.IntsAttr) axes).size() > 0) {
      w.in(cx.int64s(outName(n) + "_axes", n.intsAttr("axes")));
    }
    w.out(n.result()).attr("keepdims", n.intAttr("keepdims")).done();
  }

  /** ReduceMean-13 and ReduceMax-13: axes as an attribute, no noop_with_empty_axes (opset 18). */
  private static void reduceWithAxesAttribute(Node n, ExportContext cx, String opType) {
    if (reducesNothing(n)) {
      same(cx, "Identity", n).done();
      return;
    }
    var w = same(cx, opType, n);
    Attribute axes = n.attr("axes");
    if (axes != null && ((Attribute.IntsAttr) axes).size() > 0) {
      w.attr("axes", n.intsAttr("axes"));
    }
    w.attr("keepdims", n.intAttr("keepdims")).done();
  }

  /** ConstantOfShape-9: the shape as an int64 input, the fill value as a one-element 1-D tensor attribute. */
  private static void constantOfShape(Node n, ExportContext cx) {
    var w = cx.node("ConstantOfShape", n).in(cx.int64s(outName(n) + "_shape", n.intsAttr("shape"))).out(n.result());
    Attribute value = n.attr("value");
    if (value != null) {
      Tensor t = ((Attribute.TensorAttr) value).value();
      if (ExportTensors.isSubByte(t.elementType())) {
        throw unsupported("opset 17 has no " + t.elementType() + " fill value");
      }
      w.attr("value", t.withType(new TensorType(t.elementType(), Shape.of(1), null)));
    }
    w.done();
  }

  /**
   * Split-13: part sizes as an optional int64 input; without it the parts are equal, so an uneven
   * {@code num_outputs} split writes the sizes of the declared results.
   */
  private static void split(Node n, ExportContext cx) {
    Value x = n.operand(0);
    int axis = (int) n.intAttr("axis");
    int rank = x.type().rank();
    int a = axis < 0 ? axis + rank : axis;
    long[] sizes = null;
    if (n.attr("split") != null) {
      sizes = n.intsAttr("split");
    } else {
      int dim = x.type().dim(a);
      if (dim == Shape.DYNAMIC || dim % n.numResults() != 0) {
        sizes = new long[n.numResults()];
        for (int i = 0; i < sizes.length; i++) {
          int d = n.result(i).type().dim(a);
          if (d == Shape.DYNAMIC) {
            throw unsupported("the part sizes along axis " + axis + " are not static");
          }
          sizes[i] = d;
        }
      }
    }
    var w = cx.node("Split", n).in(x);
    if (sizes != null) {
      w.in(cx.int64s(outName(n) + "_split", sizes));
    }
    for (Value r : n.results()) {
      w.out(r);
    }
    w.attr("axis", (long) axis).done();
  }

  /** Slice-13: starts, ends, axes and steps as int64 inputs. */
  private static void slice(Node n, ExportContext cx) {
    String base = outName(n);
    var w = cx.node("Slice", n).in(n.operand(0))
        .in(cx.int64s(base + "_starts", n.intsAttr("starts"))).in(cx.int64s(base + "_ends", n.intsAttr("ends")));
    boolean steps = n.attr("steps") != null;
    if (n.attr("axes") != null) {
      w.in(cx.int64s(base + "_axes", n.intsAttr("axes")));
    } else if (steps) {
      w.in("");
    }
    if (steps) {
      w.in(cx.int64s(base + "_steps", n.intsAttr("steps")));
    }
    w.out(n.result()).done();
  }

  /**
   * Pad-13: pads as an int64 input over every axis (the {@code axes} subset is opset 18, so it is
   * expanded), the constant as an optional scalar input; wrap mode is opset 19.
   */
  private static void pad(Node n, ExportContext cx) {
    Value x = n.operand(0);
    String mode = n.stringAttr("mode");
    if (!mode.equals("constant") && !mode.equals("reflect") && !mode.equals("edge")) {
      throw unsupported("Pad mode '" + mode + "' arrived in opset 19");
    }
    int rank = x.type().rank();
    long[] pads = n.intsAttr("pads");
    if (n.attr("axes") != null) {
      long[] axes = n.intsAttr("axes");
      long[] full = new long[2 * rank];
      for (int i = 0; i < axes.length; i++) {
        int a = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
        full[a] = pads[i];
        full[rank + a] = pads[axes.length + i];
      }
      pads = full;
    }
    var w = cx.node("Pad", n).in(x).in(cx.int64s(outName(n) + "_pads", pads));
    double value = n.floatAttr("value");
    if (mode.equals("constant") && value != 0) {
      ElementType et = elementType(x);
      if (!et.isFloat() && value != Math.rint(value)) {
        throw unsupported("the pad value " + value + " is not a value of " + et);
      }
      w.in(cx.scalar(outName(n) + "_value", et, value));
    }
    w.out(n.result()).attr("mode", mode).done();
  }

  /**
   * Resize-13: roi omitted, then f32 scales or int64 sizes over every axis (an {@code axes} subset is
   * opset 18: other axes get scale 1 or their own size). keep_aspect_ratio_policy and
   * half_pixel_symmetric are opset 18 and 19.
   */
  private static void resize(Node n, ExportContext cx) {
    Value x = n.operand(0);
    String policy = n.stringAttr("keep_aspect_ratio_policy");
    if (!policy.equals("stretch")) {
      throw unsupported("keep_aspect_ratio_policy '" + policy + "' arrived in opset 18");
    }
    String ctm = n.stringAttr("coordinate_transformation_mode");
    if (ctm.equals("half_pixel_symmetric")) {
      throw unsupported("coordinate_transformation_mode 'half_pixel_symmetric' arrived in opset 19");
    }
    int rank = x.type().rank();
    int[] axes = new int[rank];
    boolean[] listed = new boolean[rank];
    if (n.attr("axes") != null) {
      long[] as = n.intsAttr("axes");
      axes = new int[as.length];
      for (int i = 0; i < as.length; i++) {
        axes[i] = (int) (as[i] < 0 ? as[i] + rank : as[i]);
      }
    } else {
      for (int i = 0; i < rank; i++) {
        axes[i] = i;
      }
    }
    for (int a : axes) {
      listed[a] = true;
    }
    var w = cx.node("Resize", n).in(x).in("");
    if (n.attr("scales") != null) {
      double[] s = n.floatsAttr("scales");
      float[] full = new float[rank];
      Arrays.fill(full, 1f);
      for (int i = 0; i < axes.length; i++) {
        full[axes[i]] = (float) s[i];
      }
      w.in(cx.initializer(outName(n) + "_scales", Tensor.ofFloats(new int[] {rank}, full)));
    } else {
      long[] s = n.intsAttr("sizes");
      long[] full = new long[rank];
      for (int d = 0; d < rank; d++) {
        if (!listed[d]) {
          if (x.type().dim(d) == Shape.DYNAMIC) {
            throw unsupported("axis " + d + " is not resized but has no static size to repeat in 'sizes'");
          }
          full[d] = x.type().dim(d);
        }
      }
      for (int i = 0; i < axes.length; i++) {
        full[axes[i]] = s[i];
      }
      w.in("").in(cx.int64s(outName(n) + "_sizes", full));
    }
    String mode = n.stringAttr("mode");
    w.out(n.result()).attr("mode", mode).attr("coordinate_transformation_mode", ctm);
    if (mode.equals("nearest")) {
      w.attr("nearest_mode", n.stringAttr("nearest_mode"));
    }
    w.done();
  }

  /**
   * QuantizeLinear-13 to the result's container type, with the result's scale and zero point; sub-byte
   * results clamp the 8-bit value to their range with a Clip (which gives exactly
   * {@code clamp(round(x/s) + z, qmin, qmax)}).
   */
  private static void quantize(Node n, ExportContext cx) {
    Value x = n.operand(0);
    Value r = n.result();
    ElementType et = elementType(r);
    checkQuantizable(et, true);
    String input = x.name();
    if (elementType(x) != ElementType.F32) {
      input = cx.freshName(x.name() + "_f32");
      cx.node("Cast", n).in(x).out(input).attr("to", (long) ExportTensors.dataType(ElementType.F32)).done();
    }
    String[] qp = cx.quantParams(r);
    boolean clamp = ExportTensors.isSubByte(et);
    String q = clamp ? cx.freshName(r.name() + "_8bit") : r.name();
    var w = cx.node("QuantizeLinear", n).in(input).in(qp[0]).in(qp[1]).out(q);
    axis(w, r.type().quant());
    w.done();
    if (clamp) {
      cx.node("Clip", n).in(q).in(cx.scalar(r.name() + "_qmin", containerOf(et), et.minValue()))
          .in(cx.scalar(r.name() + "_qmax", containerOf(et), et.maxValue())).out(r).done();
    }
  }

  /** DequantizeLinear-13 with the operand's scale and zero point (int32 operands need zero point 0). */
  private static void dequantize(Node n, ExportContext cx) {
    Value q = n.operand(0);
    ElementType et = elementType(q);
    checkQuantizable(et, false);
    QuantParams p = q.type().quant();
    if (et == ElementType.I32 && !p.isSymmetric()) {
      throw unsupported("DequantizeLinear takes int32 only with zero point 0");
    }
    String[] qp = cx.quantParams(q);
    var w = cx.node("DequantizeLinear", n).in(q).in(qp[0]).in(qp[1]).out(n.result());
    axis(w, p);
    w.done();
  }

  private static void axis(ExportContext.NodeWriter w, QuantParams p) {
    if (!p.isPerTensor()) {
      w.attr("axis", (long) p.axis());
    }
  }

  private static void checkQuantizable(ElementType et, boolean quantize) {
    switch (et) {
      case I8, U8, I4, U4, I2, U2 -> {
        return;
      }
      case I32 -> {
        if (!quantize) {
          return;
        }
      }
      default -> { }
    }
    throw unsupported((quantize ? "QuantizeLinear" : "DequantizeLinear") + " in opset 17 takes int8 or uint8"
        + (quantize ? "" : " (or int32)") + " values, not " + et);
  }

  private static ElementType containerOf(ElementType et) {
    return et.isSigned() ? ElementType.I8 : ElementType.U8;
  }
}
