package dev.cimc.frontend.dsl;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in layers of the DSL and their lowering to graph-dialect ops. Layers with weights create
 * their constants themselves, named {@code <layer>.weight}, {@code <layer>.bias} (and
 * {@code running_mean}/{@code running_var} for batch norm), PyTorch's state-dict names, so a weight file
 * exported from PyTorch loads by name.
 */
final class Layers {
  private Layers() {}

  private static final Map<String, LayerDef> ALL = build();

  /** Every built-in layer by name, in catalog order. */
  static Map<String, LayerDef> all() {
    return ALL;
  }

  static LayerDef get(String name) {
    return ALL.get(name);
  }

  private static ParamSpec tensor(String name) {
    return ParamSpec.required(name, Kind.TENSOR);
  }

  private static ParamSpec req(String name, Kind kind) {
    return ParamSpec.required(name, kind);
  }

  private static ParamSpec opt(String name, Kind kind, Val def) {
    return ParamSpec.optional(name, kind, def);
  }

  private static Val.IntV i(long v) {
    return new Val.IntV(v);
  }

  private static Val.FloatV f(double v) {
    return new Val.FloatV(v);
  }

  private static Val.BoolV b(boolean v) {
    return new Val.BoolV(v);
  }

  private static Map<String, LayerDef> build() {
    var m = new LinkedHashMap<String, LayerDef>();
    add(m, "conv2d", "2-D convolution with its own weights (out channels, kernel, stride, pad, dilation, groups)",
        Layers::conv2d, tensor("x"), req("out", Kind.INT), req("kernel", Kind.INTS), opt("stride", Kind.INTS, i(1)),
        opt("pad", Kind.INTS, i(0)), opt("dilation", Kind.INTS, i(1)), opt("groups", Kind.INT, i(1)),
        opt("bias", Kind.BOOL, b(true)));
    add(m, "linear", "fully connected layer on the last axis: x · Wᵀ + b (gemm for 2-D inputs)",
        c -> linear(c, c.tensor("x"), c.integer("out", 1), c.bool("bias"), true),
        tensor("x"), req("out", Kind.INT), opt("bias", Kind.BOOL, b(true)));
    add(m, "batch_norm", "inference batch normalization over channel axis 1, with its own statistics",
        Layers::batchNorm, tensor("x"), opt("eps", Kind.FLOAT, f(1e-5)));
    add(m, "layer_norm", "layer normalization over the axes from `axis` on, with its own scale and shift",
        Layers::layerNorm, tensor("x"), opt("axis", Kind.INT, i(-1)), opt("eps", Kind.FLOAT, f(1e-5)));
    unary(m, "relu", "max(x, 0)", "graph.relu");
    add(m, "relu6", "min(max(x, 0), 6)",
        c -> c.op("graph.clip", Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0)), c.tensor("x")),
        tensor("x"));
    unary(m, "sigmoid", "1 / (1 + e^-x)", "graph.sigmoid");
    unary(m, "tanh", "hyperbolic tangent", "graph.tanh");
    unary(m, "hard_swish", "x · relu6(x + 3) / 6", "graph.hard_swish");
    add(m, "gelu", "Gaussian error linear unit (`approximate` = \"none\" or \"tanh\")",
        c -> {
          String mode = c.string("approximate");
          if (!mode.equals("none") && !mode.equals("tanh")) {
            throw c.fail("`approximate` must be \"none\" or \"tanh\", got \"" + mode + "\"", null);
          }
          return c.op("graph.gelu", Attributes.of("approximate", Attribute.of(mode)), c.tensor("x"));
        },
        tensor("x"), opt("approximate", Kind.STRING, new Val.StrV("none")));
    add(m, "leaky_relu", "x for x ≥ 0, alpha · x below",
        c -> c.op("graph.leaky_relu", Attributes.of("alpha", Attribute.of(c.real("alpha"))), c.tensor("x")),
        tensor("x"), opt("alpha", Kind.FLOAT, f(0.01)));
    add(m, "softmax", "softmax along `axis`",
        c -> c.op("graph.softmax", Attributes.of("axis", Attribute.of(c.integer("axis"))), c.tensor("x")),
        tensor("x"), opt("axis", Kind.INT, i(-1)));
    add(m, "log_softmax", "log of softmax along `axis`",
        c -> c.op("graph.log_softmax", Attributes.of("axis", Attribute.of(c.integer("axis"))), c.tensor("x")),
        tensor("x"), opt("axis", Kind.INT, i(-1)));
    add(m, "max_pool", "2-D max pooling (stride defaults to the kernel)", c -> pool(c, "graph.max_pool"),
        tensor("x"), req("kernel", Kind.INTS), ParamSpec.optional("stride", Kind.INTS, "kernel"),
        opt("pad", Kind.INTS, i(0)), opt("ceil", Kind.BOOL, b(false)));
    add(m, "avg_pool", "2-D average pooling (stride defaults to the kernel; padding counts, as in PyTorch)", c -> pool(c, "graph.average_pool"),
        tensor("x"), req("kernel", Kind.INTS), ParamSpec.optional("stride", Kind.INTS, "kernel"),
        opt("pad", Kind.INTS, i(0)), opt("ceil", Kind.BOOL, b(false)), opt("count_pad", Kind.BOOL, b(true)));
    unary(m, "global_avg_pool", "mean over all spatial positions (N×C×1×1)", "graph.global_average_pool");
    unary(m, "global_max_pool", "maximum over all spatial positions (N×C×1×1)", "graph.global_max_pool");
    add(m, "flatten", "2-D view: dimensions before `axis` times dimensions from `axis` on",
        c -> c.op("graph.flatten", Attributes.of("axis", Attribute.of(c.integer("axis"))), c.tensor("x")),
        tensor("x"), opt("axis", Kind.INT, i(1)));
    add(m, "reshape", "the same elements in a new shape (one -1 is inferred, 0 copies the input's dimension)",
        c -> c.op("graph.reshape", Attributes.of("shape", Attribute.ints(c.ints("shape"))), c.tensor("x")),
        tensor("x"), req("shape", Kind.INTS));
    add(m, "transpose", "permutes dimensions: result dimension i is input dimension perm[i]",
        c -> c.op("graph.transpose", Attributes.of("perm", Attribute.ints(c.ints("perm"))), c.tensor("x")),
        tensor("x"), req("perm", Kind.INTS));
    binary(m, "add", "elementwise sum (broadcasting)", "graph.add");
    binary(m, "sub", "elementwise difference (broadcasting)", "graph.sub");
    binary(m, "mul", "elementwise product (broadcasting)", "graph.mul");
    binary(m, "div", "elementwise quotient (broadcasting)", "graph.div");
    binary(m, "matmul", "matrix product of two tensors (batched, broadcasting)", "graph.matmul");
    add(m, "concat", "joins tensors along `axis`",
        c -> c.op("graph.concat", Attributes.of("axis", Attribute.of(c.integer("axis"))),
            c.tensors("inputs").toArray(new Value[0])),
        req("inputs", Kind.TENSORS), opt("axis", Kind.INT, i(1)));
    add(m, "mean", "mean over `axes`",
        c -> c.op("graph.reduce_mean", Attributes.of("axes", Attribute.ints(c.ints("axes")),
            "keepdims", Attribute.of(c.bool("keepdims") ? 1L : 0L)), c.tensor("x")),
        tensor("x"), req("axes", Kind.INTS), opt("keepdims", Kind.BOOL, b(true)));
    add(m, "dropout", "the identity at inference (kept so PyTorch models read the same)", c -> c.tensor("x"),
        tensor("x"), opt("p", Kind.FLOAT, f(0.5)));
    add(m, "multi_head_attention",
        "self-attention over N×S×D with `heads` heads: q, k, v and out projections, scaled dot products, softmax",
        Layers::attention, tensor("x"), req("heads", Kind.INT), opt("bias", Kind.BOOL, b(true)));
    return Collections.unmodifiableMap(m);
  }

  private static void add(Map<String, LayerDef> m, String name, String summary, LayerDef.Lowering lowering,
      ParamSpec... params) {
    m.put(name, new LayerDef(new Signature(name, "layer", List.of(params)), summary, lowering));
  }

  private static void unary(Map<String, LayerDef> m, String name, String summary, String op) {
    add(m, name, summary, c -> c.op(op, Attributes.EMPTY, c.tensor("x")), tensor("x"));
  }

  private static void binary(Map<String, LayerDef> m, String name, String summary, String op) {
    add(m, name, summary, c -> c.op(op, Attributes.EMPTY, c.tensor("a"), c.tensor("b")), tensor("a"), tensor("b"));
  }

  // ---- layers with weights ----

  private static Value conv2d(LayerCall c) {
    Value x = c.tensor("x");
    TensorType t = c.requireRank(x, 4, "N, C, H, W");
    int out = c.integer("out", 1);
    long[] kernel = c.perDim("kernel", 2, 1);
    long[] stride = c.perDim("stride", 2, 1);
    long[] dilation = c.perDim("dilation", 2, 1);
    long[] pads = c.pads2d("pad");
    int groups = c.integer("groups", 1);
    int in = t.dim(1);
    if (in % groups != 0 || out % groups != 0) {
      throw c.fail("`groups` (" + groups + ") must divide the input channels (" + in + ") and the output channels ("
          + out + ")", null);
    }
    int kh = (int) kernel[0];
    int kw = (int) kernel[1];
    long receptive = (long) kh * kw;
    Value w = c.weight("weight", WeightRole.WEIGHT, in / groups * receptive, out * receptive, out, in / groups, kh, kw);
    var attrs = Attributes.of("strides", Attribute.ints(stride), "pads", Attribute.ints(pads),
        "dilations", Attribute.ints(dilation), "group", Attribute.of((long) groups),
        "kernel_shape", Attribute.ints(kernel));
    if (!c.bool("bias")) {
      return c.op("graph.conv2d", attrs, x, w);
    }
    Value bias = c.weight("bias", WeightRole.BIAS, 0, 0, out);
    return c.op("graph.conv2d", attrs, x, w, bias);
  }

  /**
   * A linear layer on the last axis. The weight is stored as PyTorch stores it, [out, in]: a 2-D input
   * lowers to gemm with trans_b; other ranks to matmul with the weight transposed to [in, out], then add.
   */
  static Value linear(LayerCall c, Value x, int out, boolean bias, boolean allowGemm) {
    TensorType t = c.requireStatic(x.type());
    if (t.rank() < 1) {
      throw c.fail("`" + c.layer() + "` needs an input of rank 1 or more, got " + TypeText.of(t), null);
    }
    int in = t.dim(t.rank() - 1);
    Tensor w = c.weightTensor("weight", WeightRole.WEIGHT, in, out, out, in);
    if (t.rank() == 2 && allowGemm) {
      Value wv = c.constant("weight", w);
      var attrs = Attributes.of("trans_b", Attribute.of(1L));
      return bias ? c.op("graph.gemm", attrs, x, wv, c.weight("bias", WeightRole.BIAS, 0, 0, out))
          : c.op("graph.gemm", attrs, x, wv);
    }
    Value wt = c.constant("weight", transpose2d(w, out, in));
    if (!bias) {
      return c.op("graph.matmul", Attributes.EMPTY, x, wt);
    }
    Value product = c.op("matmul", "graph.matmul", Attributes.EMPTY, x, wt);
    return c.op("graph.add", Attributes.EMPTY, product, c.weight("bias", WeightRole.BIAS, 0, 0, out));
  }

  private static Tensor transpose2d(Tensor w, int rows, int cols) {
    float[] a = w.floats();
    float[] z = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < cols; k++) {
        z[k * rows + r] = a[r * cols + k];
      }
    }
    return Tensor.wrap(TensorType.f32(cols, rows), z);
  }

  private static Value batchNorm(LayerCall c) {
    Value x = c.tensor("x");
    TensorType t = c.requireStatic(x.type());
    if (t.rank() < 2) {
      throw c.fail("`batch_norm` needs an input with a channel axis (N, C, ...), got " + TypeText.of(t), null);
    }
    int ch = t.dim(1);
    Value scale = c.weight("weight", WeightRole.SCALE, 0, 0, ch);
    Value shift = c.weight("bias", WeightRole.SHIFT, 0, 0, ch);
    Value mean = c.weight("running_mean", WeightRole.RUNNING_MEAN, 0, 0, ch);
    Value var = c.weight("running_var", WeightRole.RUNNING_VAR, 0, 0, ch);
    return c.op("graph.batch_norm", Attributes.of("epsilon", Attribute.of(c.real("eps"))), x, scale, shift, mean, var);
  }

  private static Value layerNorm(LayerCall c) {
    Value x = c.tensor("x");
    TensorType t = c.requireStatic(x.type());
    long axis = c.integer("axis");
    int r = t.rank();
    if (axis < -r || axis >= r) {
      throw c.fail("`axis` " + axis + " is out of range for " + TypeText.of(t), "use -" + r + " to " + (r - 1));
    }
    int a = (int) (axis < 0 ? axis + r : axis);
    int[] norm = Arrays.copyOfRange(t.shape().dims(), a, r);
    Value scale = c.weight("weight", WeightRole.SCALE, 0, 0, norm);
    Value shift = c.weight("bias", WeightRole.SHIFT, 0, 0, norm);
    return c.op("graph.layer_norm", Attributes.of("axis", Attribute.of(axis), "epsilon", Attribute.of(c.real("eps"))),
        x, scale, shift);
  }

  private static Value pool(LayerCall c, String op) {
    Value x = c.tensor("x");
    c.requireRank(x, 4, "N, C, H, W");
    long[] kernel = c.perDim("kernel", 2, 1);
    long[] stride = c.has("stride") ? c.perDim("stride", 2, 1) : kernel;
    var attrs = new LinkedHashMap<String, Attribute>();
    attrs.put("kernel_shape", Attribute.ints(kernel));
    attrs.put("strides", Attribute.ints(stride));
    attrs.put("pads", Attribute.ints(c.pads2d("pad")));
    attrs.put("ceil_mode", Attribute.of(c.bool("ceil") ? 1L : 0L));
    if (op.equals("graph.average_pool")) {
      attrs.put("count_include_pad", Attribute.of(c.bool("count_pad") ? 1L : 0L));
    }
    return c.op(op, Attributes.of(attrs), x);
  }

  /**
   * Multi-head self-attention as PyTorch's nn.MultiheadAttention computes it (batch first), from graph ops:
   * projections {@code q}, {@code k}, {@code v} (each D×D), heads split by reshape and transpose,
   * softmax(q·kᵀ/√d)·v, heads merged, and the {@code out} projection.
   */
  private static Value attention(LayerCall c) {
    Value x = c.tensor("x");
    TensorType t = c.requireRank(x, 3, "N, S, D");
    int heads = c.integer("heads", 1);
    int n = t.dim(0);
    int s = t.dim(1);
    int d = t.dim(2);
    if (d % heads != 0) {
      throw c.fail("`heads` (" + heads + ") must divide the model dimension (" + d + ")", null);
    }
    int dh = d / heads;
    boolean bias = c.bool("bias");
    var split = Attributes.of("shape", Attribute.ints(n, s, heads, dh));
    var headsFirst = Attributes.of("perm", Attribute.ints(0, 2, 1, 3));
    Value q = linear(c.part("q"), x, d, bias, false);
    Value k = linear(c.part("k"), x, d, bias, false);
    Value v = linear(c.part("v"), x, d, bias, false);
    Value qh = c.op("q_heads", "graph.transpose", headsFirst, c.op("q_split", "graph.reshape", split, q));
    Value kt = c.op("k_heads", "graph.transpose", Attributes.of("perm", Attribute.ints(0, 2, 3, 1)),
        c.op("k_split", "graph.reshape", split, k));
    Value vh = c.op("v_heads", "graph.transpose", headsFirst, c.op("v_split", "graph.reshape", split, v));
    Value scores = c.op("scores", "graph.matmul", Attributes.EMPTY, qh, kt);
    Value scale = c.constant("scale", Tensor.ofFloats(new int[0], (float) (1.0 / Math.sqrt(dh))));
    Value probs = c.op("probs", "graph.softmax", Attributes.of("axis", Attribute.of(-1L)),
        c.op("scaled", "graph.mul", Attributes.EMPTY, scores, scale));
    Value context = c.op("context", "graph.matmul", Attributes.EMPTY, probs, vh);
    Value merged = c.op("merged", "graph.reshape", Attributes.of("shape", Attribute.ints(n, s, d)),
        c.op("context_t", "graph.transpose", headsFirst, context));
    // The result is the out projection's, named after it ({@code attn.out}).
    return linear(c.part("out"), merged, d, bias, false);
  }

  /** The names of every built-in layer, for suggestions. */
  static List<String> names() {
    return new ArrayList<>(ALL.keySet());
  }
}
