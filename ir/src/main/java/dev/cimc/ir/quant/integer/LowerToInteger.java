package dev.cimc.ir.quant.integer;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.quant.FixedPointMultiplier;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns each {@code q.dequantize → float op → q.quantize} pattern (what the {@code quantize} pass makes)
 * into integer ops of the q dialect that compute the quantized result directly:
 *
 * <ul>
 *   <li>conv2d / gemm / matmul with constant quantized weights (or log2 codes expanded on load by
 *       {@code q.log2_expand}, which stays in front) → {@code q.qconv2d} / {@code q.qgemm} +
 *       {@code q.requantize}; the input zero-point term {@code −z_x · Σ w} is folded into the int32 bias
 *       offline, so only {@code x · w} runs on the crossbar;</li>
 *   <li>matmul of two activations → {@code q.qmatmul} + {@code q.requantize};</li>
 *   <li>add → {@code q.qadd}; average_pool and global_average_pool → {@code q.average_pool}; relu, clip,
 *       max_pool whose result keeps the input's parameters → {@code q.relu}, {@code q.clip}, {@code q.max_pool};
 *       reshape, transpose, flatten, squeeze, unsqueeze with the same parameters run on the codes;</li>
 *   <li>unary functions (sigmoid, tanh, hard_swish, exp, gelu, ...; relu and clip when the parameters change)
 *       on inputs of at most 8 bits → {@code q.lut}, the table computed by running the float op on every
 *       code, so it matches fake quantization exactly;</li>
 *   <li>softmax → {@code q.softmax}; layer_norm over the last axis → {@code q.layer_norm}; reduce_mean →
 *       transpose and reshape of the codes around a {@code q.average_pool};</li>
 *   <li>min/max with a constant bound (per-channel relu6 bounds after CLE) → {@code q.min}/{@code q.max} with
 *       the bound quantized in the input's parameters;</li>
 *   <li>slice on codes (data movement, like reshape); mul, div or sub by a scalar constant (e.g. the
 *       1/√d of attention scores) → {@code q.lut}, tabulated like the unary functions;</li>
 *   <li>fused_conv2d / fused_gemm / fused_add with activation none, relu, relu6 or clip → the integer op of
 *       the unfused form whose final rescaling ({@code q.requantize} or {@code q.qadd}) clamps to the codes
 *       {@code [Q(lo), Q(hi)]} of the activation's bounds in the result's parameters (relu: {@code [z_out,
 *       qmax]}, relu6: {@code [Q(0), Q(6)]}). Since Q is monotone, {@code Q(clamp(v, lo, hi)) = clamp(Q(v), Q(lo),
 *       Q(hi))}: the clamp is exact, and the fused integer op agrees with fake quantization exactly when the
 *       unfused one does. ({@code quantize} splits fused ops with other activations before this pass.)</li>
 * </ul>
 *
 * Requantization multipliers come from the types ({@code s_acc / s_out} as a {@link FixedPointMultiplier}).
 * A pattern that does not fit (per-channel output, unsupported attributes, a bias that overflows int32) is
 * left in fake-quantized float. Quantizes of float constants become quantized constants; dequantizes and
 * constants left unused are erased.
 */
public final class LowerToInteger extends Pass {
  public static final PassDef DEF = PassDef.builder("lower-to-integer", "LowerToInteger")
      .summary("replace dequantize → float op → quantize by integer q ops (qconv2d/qgemm + requantize, qadd, lut, ...)")
      .statistic("ops-lowered", "float ops replaced by integer ops")
      .statistic("ops-left-in-float", "fake-quantized ops without an integer form here")
      .factory(LowerToInteger::new)
      .build();

  private static final Set<String> TABLE_OPS = Set.of("graph.sigmoid", "graph.tanh", "graph.hard_swish",
      "graph.hard_sigmoid", "graph.exp", "graph.gelu", "graph.leaky_relu", "graph.relu", "graph.clip");

  private LowerToInteger(PassOptions options) {
    super(DEF, options);
  }

  /** What one application did. */
  public record Stats(long lowered, long leftInFloat) {}

  @Override
  public boolean run(Graph graph, PassContext context) {
    Stats s = apply(graph, context.registry());
    context.add("ops-lowered", s.lowered());
    context.add("ops-left-in-float", s.leftInFloat());
    return s.lowered() > 0;
  }

  /** Lowers every pattern it can in {@code g}. */
  public static Stats apply(Graph g, OpRegistry registry) {
    foldConstantQuantizes(g);
    long lowered = 0;
    long left = 0;
    for (Node n : g.nodes()) {
      if (!n.isErased() && n.op().fullName().equals("graph.split")) {
        if (lowerSplit(g, n)) {
          lowered++;
        } else if (dequantizedOperand(n) != null) {
          left++;
        }
        continue;
      }
      if (n.isErased() || n.numResults() != 1 || !n.op().dialect().equals("graph")) {
        continue;
      }
      Node q = soleQuantizeUser(n);
      if (q == null) {
        continue;
      }
      Value v = new Lowering(n, q, registry).lower();
      if (v == null) {
        left++;
        continue;
      }
      String name = q.result().name();
      g.replaceAllUsesWith(q.result(), v);
      g.erase(q);
      g.erase(n);
      v.rename(name);
      lowered++;
    }
    eraseUnused(g);
    return new Stats(lowered, left);
  }

  /** {@code q.quantize} of a float constant (a bias or position table added to an activation) → a quantized constant. */
  private static void foldConstantQuantizes(Graph g) {
    for (Node n : g.nodes()) {
      if (n.op() != QDialect.QUANTIZE || !isConst(n.operand(0))) {
        continue;
      }
      Tensor codes = QDialect.quantize(constant(n.operand(0)), n.result().type());
      Node c = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(codes)),
          List.of(codes.type()), null, n.location());
      String name = n.result().name();
      g.replaceNode(n, List.of(c.result()));
      c.result().rename(name);
    }
  }

  /** The codes behind a dequantized first operand, or null. */
  private static Value dequantizedOperand(Node n) {
    Node p = n.operand(0).producer();
    return p != null && p.op() == QDialect.DEQUANTIZE ? p.operand(0) : null;
  }

  /**
   * dequantize → split → quantize of every part with the input's parameters → a split of the codes (a split moves
   * data, so fake quantization's re-quantization of each part is the identity).
   */
  private static boolean lowerSplit(Graph g, Node n) {
    Value x = dequantizedOperand(n);
    if (x == null || !x.type().quant().isPerTensor()) {
      return false;
    }
    var quantizes = new java.util.ArrayList<Node>();
    var types = new java.util.ArrayList<TensorType>();
    for (Value r : n.results()) {
      Value part = r;
      if (g.isOutput(part) || part.users().size() != 1 || part.users().get(0).op() != QDialect.QUANTIZE) {
        return false;
      }
      Node q = part.users().get(0);
      TensorType qt = q.result().type();
      if (qt.elementType() != x.type().elementType() || !qt.quant().equals(x.type().quant())) {
        return false;
      }
      quantizes.add(q);
      types.add(qt);
    }
    Node codes = g.insertBefore(n, n.op(), List.of(x), n.attributes(), types, null, n.location());
    for (int i = 0; i < quantizes.size(); i++) {
      Node q = quantizes.get(i);
      String name = q.result().name();
      g.replaceAllUsesWith(q.result(), codes.result(i));
      g.erase(q);
      codes.result(i).rename(name);
    }
    g.erase(n);
    return true;
  }

  private static Node soleQuantizeUser(Node n) {
    Value r = n.result();
    if (r.graph().isOutput(r) || r.users().size() != 1) {
      return null;
    }
    Node u = r.users().get(0);
    return u.op() == QDialect.QUANTIZE && u.result().type().quant().isPerTensor() ? u : null;
  }

  private static void eraseUnused(Graph g) {
    for (Node n = g.last(); n != null; ) {
      Node prev = n.prev();
      if ((n.op() == QDialect.DEQUANTIZE || n.op() == Builtin.CONST) && n.isDead()) {
        g.erase(n);
      }
      n = prev;
    }
  }

  /** One pattern: the float op {@code n} and the quantize {@code q} of its result. */
  private static final class Lowering {
    final Node n;
    final Node q;
    final TensorType out;
    final GraphBuilder b;
    final OpRegistry registry;
    /** The clamp of a fused activation ({@code min}/{@code max} codes), empty for unfused ops. */
    Attributes clamp = Attributes.EMPTY;

    Lowering(Node n, Node q, OpRegistry registry) {
      this.n = n;
      this.q = q;
      this.out = q.result().type();
      this.b = GraphBuilder.before(q, registry);
      this.registry = registry;
    }

    Value lower() {
      String op = n.op().fullName();
      for (int i = 0; i < n.numOperands(); i++) {
        Node p = n.operand(i).producer();
        boolean dequantized = p != null && p.op() == QDialect.DEQUANTIZE;
        // only layer norm (its scale and bias) and the scalar ops (their scalar) read float constants; everything
        // else reads dequantized codes
        boolean floatConst = i > 0 && isConst(n.operand(i))
            && (op.equals("graph.layer_norm") || Quantize.SCALAR_OPS.contains(op) || op.equals("graph.min")
                || op.equals("graph.max"));
        if (!dequantized && !floatConst) {
          return null;
        }
      }
      Value x = codes(n.operand(0));
      TensorType xt = x.type();
      boolean sameParams = xt.elementType() == out.elementType() && xt.quant().equals(out.quant());
      if (op.startsWith("graph.fused_")) {
        clamp = clampAttributes();
        if (clamp == null) {
          return null;
        }
      }
      switch (op) {
        case "graph.conv2d":
        case "graph.fused_conv2d":
          return weighted(x, 0, "q.qconv2d", convAttributes(n.attributes()));
        case "graph.gemm":
        case "graph.fused_gemm":
          if (n.floatAttr("alpha") != 1 || n.floatAttr("beta") != 1 || n.intAttr("trans_a") != 0) {
            return null;
          }
          return weighted(x, n.intAttr("trans_b") != 0 ? 0 : 1, "q.qgemm",
              n.intAttr("trans_b") != 0 ? Attributes.of("trans_b", Attribute.of(1L)) : Attributes.EMPTY);
        case "graph.matmul":
          if (weightCodes(codes(n.operand(1))) != null) {
            return weighted(x, 1, "q.qgemm", Attributes.EMPTY);
          }
          return requantize(b.op("q.qmatmul", x, codes(n.operand(1))));
        case "graph.add":
        case "graph.fused_add":
          return add(x, codes(n.operand(1)), false);
        case "graph.max_pool":
          return sameParams && xt.rank() == 4 ? pool(x, op) : null;
        case "graph.average_pool":
        case "graph.global_average_pool":
          return xt.rank() == 4 && out.rank() == 4 ? pool(x, op) : null;
        case "graph.reshape":
        case "graph.transpose":
        case "graph.flatten":
        case "graph.squeeze":
        case "graph.unsqueeze":
        case "graph.slice":
        case "graph.resize":
          // data movement on codes, when the parameters carry over (per tensor)
          if (!sameParams || n.numOperands() != 1) {
            return null;
          }
          return b.node(n.op(), List.of(x), n.attributes(), null, null).result();
        case "graph.pad": {
          if (!sameParams || n.numOperands() != 1) {
            return null;
          }
          // a constant pad writes the code of its value, as quantizing the padded floats does
          double v = n.floatAttr("value");
          Tensor code = QDialect.quantize(Tensor.ofFloats(new int[] {1}, (float) v), out.withShape(Shape.of(1)));
          Attributes a = n.attributes().with("value", Attribute.of((double) code.getLong(0)));
          return b.node(n.op(), List.of(x), a, null, null).result();
        }
        case "graph.relu":
          if (sameParams) {
            return b.op("q.relu", x);
          }
          return table(x);
        case "graph.clip":
          if (sameParams && n.numOperands() == 1) {
            return clip(x);
          }
          return table(x);
        case "graph.softmax":
          return softmax(x);
        case "graph.reduce_mean":
          return reduceMean(x);
        case "graph.min":
        case "graph.max":
          return sameParams && n.numOperands() == 2 && isConst(n.operand(1)) ? bounded(x) : null;
        case "graph.mul":
          if (!isConst(n.operand(1))) {
            return product(x, codes(n.operand(1)));
          }
          return n.operand(1).type().numel() == 1 ? table(x) : null;
        case "graph.sub":
          if (!isConst(n.operand(1))) {
            Value c = codes(n.operand(1));
            return c == null || isConst(x) || isConst(c) ? null : add(x, c, true);
          }
          return n.operand(1).type().numel() == 1 ? table(x) : null;
        case "graph.div":
          return n.numOperands() == 2 && isConst(n.operand(1)) && n.operand(1).type().numel() == 1 ? table(x) : null;
        case "graph.concat":
          return concat();
        case "graph.layer_norm":
          return layerNorm(x);
        default:
          return TABLE_OPS.contains(op) ? table(x) : null;
      }
    }

    /**
     * The {@code min}/{@code max} codes realizing the fused activation in the result's parameters, empty for
     * none, null for an activation without a clamp form.
     */
    private Attributes clampAttributes() {
      String act = n.stringAttr("activation");
      Double lo = null;
      Double hi = null;
      switch (act) {
        case "none":
          return Attributes.EMPTY;
        case "relu":
          lo = 0.0;
          break;
        case "relu6":
          lo = 0.0;
          hi = 6.0;
          break;
        case "clip":
          lo = n.attr("min") != null ? n.floatAttr("min") : null;
          hi = n.attr("max") != null ? n.floatAttr("max") : null;
          break;
        default:
          return null;
      }
      long cl = lo == null ? out.elementType().minValue() : code((float) (double) lo, out);
      long ch = hi == null ? out.elementType().maxValue() : code((float) (double) hi, out);
      return Attributes.of("min", Attribute.of(cl), "max", Attribute.of(Math.max(cl, ch)));
    }

    /** The attributes of q.qconv2d taken from a conv2d or fused_conv2d. */
    private static Attributes convAttributes(Attributes a) {
      Attributes r = Attributes.EMPTY;
      for (String k : List.of("strides", "pads", "dilations", "group", "auto_pad", "kernel_shape")) {
        if (a.has(k)) {
          r = r.with(k, a.get(k));
        }
      }
      return r;
    }

    // ---------------------------------------------------------------------------------------- products

    /** conv2d or gemm/matmul with constant weights whose output channels lie along {@code axis} of w. */
    private Value weighted(Value x, int axis, String qop, Attributes attrs) {
      Value w = codes(n.operand(1));
      Tensor wt = weightCodes(w);
      if (wt == null || !xt(x).quant().isPerTensor()) {
        return null;
      }
      QuantParams wq = wt.type().quant();
      int channels = wt.type().dim(axis);
      int inner = 1;
      for (int d = axis + 1; d < wt.type().rank(); d++) {
        inner *= wt.type().dim(d);
      }
      long[] sums = new long[channels];
      for (int i = 0; i < wt.size(); i++) {
        sums[(i / inner) % channels] += wt.getLong(i);
      }
      long[] bias = new long[channels];
      if (n.numOperands() > 2) {
        Value bc = codes(n.operand(2));
        if (!isConst(bc) || bc.type().elementType() != ElementType.I32 || bc.type().numel() != channels) {
          return null;
        }
        Tensor bt = constant(bc);
        for (int c = 0; c < channels; c++) {
          bias[c] = bt.getLong(c);
        }
      }
      long zx = xt(x).quant().zeroPoint(0);
      double sx = xt(x).quant().scale(0);
      double[] accScales = new double[wq.channels()];
      for (int c = 0; c < accScales.length; c++) {
        accScales[c] = sx * wq.scale(c);
      }
      for (int c = 0; c < channels; c++) {
        bias[c] -= zx * sums[c];
        if (bias[c] < Integer.MIN_VALUE || bias[c] > Integer.MAX_VALUE) {
          return null;
        }
      }
      QuantParams bp = wq.isPerTensor() ? QuantParams.perTensor(accScales[0], 0)
          : QuantParams.perAxis(0, accScales, new long[accScales.length]);
      Value bv = b.constant(n.result().name() + ".bias",
          Tensor.fromLongs(new TensorType(ElementType.I32, Shape.of(channels), bp), bias));
      return requantize(b.op(qop, attrs, x, w, bv));
    }

    /**
     * The integer codes of a weight operand: a quantized constant, or log2 codes expanded on load
     * ({@code q.log2_expand} of a constant, evaluated here for the bias folding and kept in the graph); null
     * otherwise.
     */
    private static Tensor weightCodes(Value w) {
      if (w == null) {
        return null;
      }
      if (isConst(w)) {
        return constant(w);
      }
      Node p = w.producer();
      if (p == null || !p.op().fullName().equals("q.log2_expand") || !isConst(p.operand(0))) {
        return null;
      }
      Tensor c = constant(p.operand(0));
      long[] e = new long[c.size()];
      for (int i = 0; i < e.length; i++) {
        e[i] = dev.cimc.ir.quant.Log2Codes.expand(c.getLong(i));
      }
      return Tensor.fromLongs(w.type(), e);
    }

    /** Rescales an int32 accumulator to the quantize's type. */
    private Value requantize(Value acc) {
      QuantParams aq = acc.type().quant();
      double so = out.quant().scale(0);
      long[] m = new long[aq.channels()];
      long[] s = new long[aq.channels()];
      for (int c = 0; c < m.length; c++) {
        FixedPointMultiplier f = FixedPointMultiplier.of(aq.scale(c) / so);
        m[c] = f.multiplier();
        s[c] = f.shift();
      }
      return declared("q.requantize", withClamp(Attributes.of("multiplier", Attribute.ints(m), "shift",
          Attribute.ints(s))), acc);
    }

    private Value add(Value a, Value c, boolean subtract) {
      if (!xt(a).quant().isPerTensor() || !xt(c).quant().isPerTensor()) {
        return null;
      }
      double so = out.quant().scale(0);
      double ra = xt(a).quant().scale(0) / so;
      double rc = xt(c).quant().scale(0) / so;
      int shift = 30 - Math.getExponent(Math.max(ra, rc));
      long ma = Math.round(Math.scalb(ra, shift));
      long mc = Math.round(Math.scalb(rc, shift));
      if (Math.max(ma, mc) >= 1L << 31) {
        shift--;
        ma = Math.round(Math.scalb(ra, shift));
        mc = Math.round(Math.scalb(rc, shift));
      }
      if (shift < 0 || shift > 62) {
        return null;
      }
      Attributes attrs = Attributes.of("multipliers", Attribute.ints(ma, mc), "shift", Attribute.of((long) shift));
      return declared("q.qadd", withClamp(subtract ? attrs.with("subtract", Attribute.of(1L)) : attrs), a, c);
    }

    // ---------------------------------------------------------------------------------------- pointwise

    private Value pool(Value x, String op) {
      if (op.equals("graph.global_average_pool")) {
        return declared("q.average_pool", Attributes.of("kernel_shape", Attribute.ints(xt(x).dim(2), xt(x).dim(3))), x);
      }
      if (n.attr("dilations") != null && !java.util.Arrays.equals(n.intsAttr("dilations"), new long[] {1, 1})) {
        return null;
      }
      if (n.intAttr("ceil_mode") != 0 || !n.stringAttr("auto_pad").equals("NOTSET")) {
        return null;
      }
      Attributes a = Attributes.of("kernel_shape", n.attr("kernel_shape"));
      for (String k : List.of("strides", "pads")) {
        if (n.attr(k) != null) {
          a = a.with(k, n.attr(k));
        }
      }
      if (op.equals("graph.average_pool")) {
        a = a.with("count_include_pad", n.attr("count_include_pad"));
        return declared("q.average_pool", a, x);
      }
      return b.op("q.max_pool", a, x);
    }

    private Value clip(Value x) {
      TensorType t = xt(x);
      long lo = t.elementType().minValue();
      long hi = t.elementType().maxValue();
      if (n.attr("min") != null) {
        lo = code(n.floatAttr("min"), t);
      }
      if (n.attr("max") != null) {
        hi = code(n.floatAttr("max"), t);
      }
      return b.op("q.clip", Attributes.of("min", Attribute.of(lo), "max", Attribute.of(Math.max(lo, hi))), x);
    }

    /** min/max with a float constant: the bound quantized offline in x's parameters, q.min/q.max on codes. */
    private Value bounded(Value x) {
      Tensor u = constant(n.operand(1));
      Tensor codes = QDialect.quantize(u, xt(x).withShape(u.shape()));
      Value bound = b.constant(n.result().name() + ".bound", codes);
      return b.op(n.op().fullName().equals("graph.min") ? "q.min" : "q.max", x, bound);
    }

    /** The code q.quantize gives {@code v} in type {@code t} (as the fake-quantized float graph computes it). */
    private static long code(double v, TensorType t) {
      Tensor c = QDialect.quantize(Tensor.ofFloats(new int[] {1}, (float) v), t.withShape(Shape.of(1)));
      return c.getLong(0);
    }

    /** The product of two activations: q.qmul's int32 (a − z_a)(b − z_b), requantized to the result. */
    private Value product(Value a, Value c) {
      if (a == null || c == null || isConst(a) || isConst(c) || a.type().elementType().bits() > 8
          || c.type().elementType().bits() > 8 || !a.type().quant().isPerTensor() || !c.type().quant().isPerTensor()) {
        return null;
      }
      return requantize(b.op("q.qmul", a, c));
    }

    /**
     * Concatenation on codes: an operand whose parameters differ from the result's is first mapped to them by a
     * table over its codes (dequantize, then quantize with the result's parameters: what fake quantization
     * computes), so the concat itself only moves codes.
     */
    private Value concat() {
      if (out.quant() == null || !out.quant().isPerTensor()) {
        return null;
      }
      var parts = new ArrayList<Value>();
      for (int i = 0; i < n.numOperands(); i++) {
        Value c = codes(n.operand(i));
        if (c == null || c.type().quant() == null) {
          return null;
        }
        TensorType t = c.type();
        if (t.elementType() != out.elementType() || !t.quant().equals(out.quant())) {
          if (t.elementType().bits() > 8 || !t.quant().isPerTensor()) {
            return null;
          }
          Tensor codes = everyCode(t);
          long[] table = QDialect.quantize(QDialect.dequantize(codes), out.withShape(codes.shape())).toLongArray();
          c = b.node(registry.get("q.lut"), List.of(c), Attributes.of("function", Attribute.of("requantize"), "table",
              Attribute.ints(table)), List.of(out.withShape(t.shape())), null).result();
        }
        parts.add(c);
      }
      return b.node(n.op(), parts, n.attributes(), List.of(out), null).result();
    }

    /** Every code of {@code t}'s element type, smallest first, as a 1-D tensor with {@code t}'s parameters. */
    private static Tensor everyCode(TensorType t) {
      int entries = 1 << t.elementType().bits();
      long[] all = new long[entries];
      for (int k = 0; k < entries; k++) {
        all[k] = t.elementType().minValue() + k;
      }
      return Tensor.fromLongs(t.withShape(Shape.of(entries)), all);
    }

    /** Tabulates the float op on every input code, through q.quantize, exactly as fake quantization does. */
    private Value table(Value x) {
      TensorType t = xt(x);
      if (t.elementType().bits() > 8 || (n.numOperands() != 1 && !Quantize.SCALAR_OPS.contains(n.op().fullName()))) {
        return null;
      }
      int entries = 1 << t.elementType().bits();
      Tensor in = QDialect.dequantize(everyCode(t));
      var tb = new GraphBuilder("table", registry);
      Value xi = tb.input("x", in.type());
      var operands = new ArrayList<Value>(List.of(xi));
      if (n.numOperands() > 1) {
        operands.add(tb.constant("c", constant(n.operand(1))));
      }
      Value y = tb.node(n.op(), operands, n.attributes(), null, null).result();
      Value yq = tb.node(QDialect.QUANTIZE, List.of(y), Attributes.EMPTY, List.of(out.withShape(Shape.of(entries))),
          null).result();
      tb.output(yq);
      Tensor codes;
      try (var it = Interpreter.withThreads(1)) {
        codes = it.run(tb.build(), Map.of("x", in)).get(yq.name());
      }
      long[] table = new long[entries];
      for (int i = 0; i < entries; i++) {
        table[i] = codes.getLong(i);
      }
      String fn = n.op().name();
      return declared("q.lut", Attributes.of("function", Attribute.of(fn), "table", Attribute.ints(table)), x);
    }

    // ---------------------------------------------------------------------------------------- normalization

    private Value softmax(Value x) {
      TensorType t = xt(x);
      if (t.elementType().bits() > 8 || !t.quant().isPerTensor()) {
        return null;
      }
      int entries = 1 << t.elementType().bits();
      long[] table = new long[entries];
      double sx = t.quant().scale(0);
      for (int d = 0; d < entries; d++) {
        table[d] = Math.round(0x1p24 * StrictMath.exp(-sx * d)); // exp_table[0] = 2^24 (see q.softmax)
      }
      if (t.dim(t.rank() - 1) > 1 << 13 || out.quant().scale(0) < 0x1p-14) {
        return null; // q.softmax's 64-bit bounds
      }
      long mult = Math.round(0x1p24 / out.quant().scale(0));
      return declared("q.softmax", Attributes.of("axis", n.attr("axis"), "exp_table", Attribute.ints(table),
          "multiplier", Attribute.of(mult)), x);
    }

    /**
     * reduce_mean as an integer average pool: the kept axes are moved in front and the reduced ones behind
     * (transpose and reshape of the codes to 1×P×R×1), q.average_pool with a window of R×1 averages with one
     * fixed-point multiplier, and a reshape gives the result's shape.
     */
    private Value reduceMean(Value x) {
      TensorType t = xt(x);
      int rank = t.rank();
      if (!t.quant().isPerTensor() || !t.shape().isStatic() || rank == 0) {
        return null;
      }
      boolean[] reduced = new boolean[rank];
      if (n.attr("axes") == null) {
        if (n.intAttr("noop_with_empty_axes") != 0) {
          return null;
        }
        java.util.Arrays.fill(reduced, true);
      } else {
        for (long a : n.intsAttr("axes")) {
          reduced[(int) (a < 0 ? a + rank : a)] = true;
        }
      }
      var perm = new ArrayList<Long>();
      long kept = 1;
      long count = 1;
      for (int d = 0; d < rank; d++) {
        if (!reduced[d]) {
          perm.add((long) d);
          kept *= t.dim(d);
        }
      }
      for (int d = 0; d < rank; d++) {
        if (reduced[d]) {
          perm.add((long) d);
          count *= t.dim(d);
        }
      }
      long[] p = perm.stream().mapToLong(Long::longValue).toArray();
      Value v = x;
      boolean identity = true;
      for (int d = 0; d < rank; d++) {
        identity &= p[d] == d;
      }
      if (!identity) {
        v = b.op("graph.transpose", Attributes.of("perm", Attribute.ints(p)), v);
      }
      v = b.op("graph.reshape", Attributes.of("shape", Attribute.ints(1, kept, count, 1)), v);
      TensorType pooled = out.withShape(Shape.of(1, (int) kept, 1, 1));
      v = b.node(registry.get("q.average_pool"), List.of(v), Attributes.of("kernel_shape", Attribute.ints(count, 1)),
          List.of(pooled), null).result();
      long[] dims = new long[out.rank()];
      for (int d = 0; d < dims.length; d++) {
        dims[d] = out.dim(d);
      }
      return b.op("graph.reshape", Attributes.of("shape", Attribute.ints(dims)), v);
    }

    private Value layerNorm(Value x) {
      TensorType t = xt(x);
      int len = t.dim(t.rank() - 1);
      long axis = n.intAttr("axis");
      if ((axis != -1 && axis != t.rank() - 1) || !t.quant().isPerTensor()) {
        return null;
      }
      Value sc = n.operand(1);
      Value bc = n.numOperands() > 2 ? n.operand(2) : null;
      // the scale and bias of a layer norm stay float constants in the fake-quantized graph
      if (!isConst(sc) || constant(sc).size() != len || (bc != null && (!isConst(bc) || constant(bc).size() != len))) {
        return null;
      }
      double so = out.quant().scale(0);
      double sx = t.quant().scale(0);
      Tensor gamma = constant(sc);
      double big = 0;
      for (int i = 0; i < len; i++) {
        big = Math.max(big, Math.abs(gamma.getDouble(i) / so));
      }
      int frac = QDialect.LAYER_NORM_FRAC_BITS;
      int shift = big == 0 ? 0 : Math.max(0, Math.min(62 - frac, 30 - Math.getExponent(big)));
      long[] g = new long[len];
      long[] be = new long[len];
      for (int i = 0; i < len; i++) {
        g[i] = Math.round(Math.scalb(gamma.getDouble(i) / so, shift));
        double bv = bc == null ? 0 : constant(bc).getDouble(i);
        double scaled = Math.scalb(bv / so, frac + shift);
        if (Math.abs(scaled) >= 0x1p60 || Math.abs(g[i]) > Integer.MAX_VALUE) {
          return null;
        }
        be[i] = Math.round(scaled);
      }
      double eps = (double) len * len * n.floatAttr("epsilon") / (sx * sx);
      if (eps >= 0x1p50) {
        return null;
      }
      return declared("q.layer_norm", Attributes.of("beta", Attribute.ints(be), "epsilon", Attribute.of(Math.round(eps)),
          "gamma", Attribute.ints(g), "shift", Attribute.of((long) shift)), x);
    }

    // ---------------------------------------------------------------------------------------- helpers

    private Attributes withClamp(Attributes a) {
      for (var e : clamp.entries()) {
        a = a.with(e.getKey(), e.getValue());
      }
      return a;
    }

    private Value declared(String op, Attributes attrs, Value... operands) {
      var types = new ArrayList<TensorType>();
      types.add(out);
      return b.node(registry.get(op), List.of(operands), attrs, types, null).result();
    }

    private static TensorType xt(Value v) {
      return v.type();
    }

    /**
     * The quantized value behind a dequantized operand, a float constant (layer norm's scale and bias), or
     * null when the operand is neither.
     */
    private static Value codes(Value v) {
      Node p = v.producer();
      if (p != null && p.op() == QDialect.DEQUANTIZE) {
        return p.operand(0);
      }
      return isConst(v) ? v : null;
    }
  }

  static boolean isConst(Value v) {
    Node p = v.producer();
    return p != null && p.op() == Builtin.CONST;
  }

  static Tensor constant(Value v) {
    return ((Attribute.TensorAttr) v.producer().attr("value")).value();
  }
}
