package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds inference batch normalization, {@code y = g·x + h} per channel with {@code g = scale / √(var + ε)}
 * and {@code h = bias − mean·g}, into the linear op next to it:
 *
 * <ul>
 *   <li>after a conv1d/conv2d (any group count): weights of output channel o times g[o], bias b·g + h;
 *   <li>after a conv_transpose1d/2d: the same on the weights feeding output channel o;
 *   <li>after a gemm: column o of op(B) times g[o], C becomes beta·C·g + h (beta = 1);
 *   <li>after a 2-D matmul with constant weights: columns scaled, h added by a {@code graph.add} (which
 *       fuse turns into a gemm);
 *   <li>before unpadded conv1d/conv2d readers (all readers must qualify): weights reading input channel c
 *       times g[c], bias plus the response to h. Padding would feed h where the input has zeros, so padded
 *       readers block this form.
 * </ul>
 *
 * A batch norm that fits none of these becomes {@code mul} and {@code add} with per-channel constants, the
 * scale-shift the vector unit executes. Parameters must be constants; other batch norms are left alone.
 * Then every {@code mul} or {@code add} of a per-channel constant (a lowered batch norm, or the Scale layer
 * of Caffe-born models) folds the same ways, when it can.
 *
 * <p>With {@code record-statistics}, the op a batch norm folds into (not the lowered form) gets the
 * attribute {@code bn_stats}: the per-channel mean (the batch norm's bias) and standard deviation
 * (|scale|·√(var/(var + ε))) of its output, which bias absorption needs after the batch norm is gone.
 */
public final class FoldBatchNorm extends Pass {
  /** The attribute holding a folded batch norm's output statistics: tensor 2×C f32, mean row then std row. */
  public static final String BN_STATS = "bn_stats";

  public static final PassDef DEF = PassDef.builder("fold-batch-norm", "FoldBatchNorm")
      .summary("fold batch norms into the conv, conv_transpose, gemm or matmul before them or the unpadded "
          + "convs after them; lower the rest to a per-channel mul and add")
      .option(PassOption.boolOption("record-statistics", true,
          "record each folded batch norm's per-channel output mean and std as attribute bn_stats"))
      .statistic("into-conv", "batch norms folded into the convolution before them")
      .statistic("into-conv-transpose", "batch norms folded into the transposed convolution before them")
      .statistic("into-gemm", "batch norms folded into the gemm before them")
      .statistic("into-matmul", "batch norms folded into the matmul before them (shift added after it)")
      .statistic("into-next-conv", "batch norms folded into the unpadded convolutions reading them")
      .statistic("lowered-to-mul-add", "batch norms left as a per-channel mul and add")
      .statistic("left-alone", "batch norms with parameters that are not constants")
      .statistic("scale-shifts-folded", "per-channel constant mul/add nodes folded into a conv or gemm")
      .factory(FoldBatchNorm::new)
      .build();

  private FoldBatchNorm(PassOptions options) {
    super(DEF, options);
  }

  /** A constant to rename once the batch norm's parameters are gone. */
  private record Rename(Value value, String name) {}

  /** The batch norm as y = g·x + h per channel, and its output statistics. */
  private record Affine(double[] g, double[] h, double[] mean, double[] std) {
    static Affine of(Node bn) {
      var t = new Tensor[4];
      for (int i = 0; i < 4; i++) {
        if (!Rewrites.isFloat(bn.operand(i + 1))) {
          return null;
        }
        t[i] = Rewrites.of(bn.operand(i + 1));
      }
      double[] scale = Rewrites.doubles(t[0]);
      double[] bias = Rewrites.doubles(t[1]);
      double[] mean = Rewrites.doubles(t[2]);
      double[] var = Rewrites.doubles(t[3]);
      double eps = bn.floatAttr("epsilon");
      int c = scale.length;
      double[] g = new double[c];
      double[] h = new double[c];
      double[] std = new double[c];
      for (int i = 0; i < c; i++) {
        // the same arithmetic as the batch_norm kernel
        g[i] = scale[i] / Math.sqrt(var[i] + eps);
        h[i] = bias[i] - mean[i] * g[i];
        std[i] = Math.abs(scale[i]) * Math.sqrt(Math.max(var[i], 0) / (var[i] + eps));
      }
      return new Affine(g, h, bias, std);
    }
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    // Layers folded into keep their weights in double until the end, so a layer followed by a batch norm
    // and a scale-shift or two has its weights rewritten once.
    var pending = new LinkedHashMap<Node, ChannelLayer>();
    boolean changed = false;
    for (Node n : graph.nodes()) {
      if (n.isErased() || !n.op().fullName().equals("graph.batch_norm")) {
        continue;
      }
      Affine a = n.operand(0).type().rank() >= 2 ? Affine.of(n) : null;
      if (a == null) {
        context.increment("left-alone");
        continue;
      }
      List<Value> params = new ArrayList<>(n.operands().subList(1, 5));
      var renames = new ArrayList<Rename>();
      String stat = foldAfter(n, n.operand(0), a, true, context.registry(), renames, pending);
      if (stat == null) {
        stat = foldBefore(n, n.operand(0), a, pending) ? "into-next-conv" : null;
      }
      if (stat == null) {
        lower(n, a, context.registry(), renames);
        stat = "lowered-to-mul-add";
      }
      context.increment(stat);
      for (Value p : params) {
        Rewrites.eraseIfDead(p);
      }
      for (Rename r : renames) {
        Rewrites.renameIfFree(r.value(), r.name());
      }
      changed = true;
    }
    for (Node n : graph.nodes()) {
      if (!n.isErased() && foldScaleShift(n, context.registry(), pending)) {
        context.increment("scale-shifts-folded");
        changed = true;
      }
    }
    for (ChannelLayer l : pending.values()) {
      l.writeBack();
    }
    return changed;
  }

  /**
   * Folds {@code x · c} or {@code x + c}, c a per-channel constant (what importers make of Caffe's Scale
   * layers, and what this pass lowers batch norms to), into the conv or gemm before it, else into unpadded
   * convs after it. Statistics recorded on the layer follow the affine map.
   */
  private boolean foldScaleShift(Node n, OpRegistry registry, Map<Node, ChannelLayer> pending) {
    String op = n.op().fullName();
    if ((!op.equals("graph.mul") && !op.equals("graph.add")) || !n.result().type().elementType().isFloat()) {
      return false;
    }
    int k = Rewrites.isFloat(n.operand(1)) ? 1 : Rewrites.isFloat(n.operand(0)) ? 0 : -1;
    if (k < 0) {
      return false;
    }
    Value x = n.operand(1 - k);
    TensorType t = x.type();
    if (!t.equals(n.result().type()) || t.rank() < 2 || t.dim(1) == Shape.DYNAMIC) {
      return false;
    }
    double[] c = LayerPair.perChannel(Rewrites.of(n.operand(k)), t.rank(), t.dim(1));
    if (c == null) {
      return false;
    }
    boolean mul = op.equals("graph.mul");
    double[] g = new double[c.length];
    double[] h = new double[c.length];
    for (int i = 0; i < c.length; i++) {
      g[i] = mul ? c[i] : 1;
      h[i] = mul ? 0 : c[i];
    }
    Affine a = new Affine(g, h, null, null);
    Value constant = n.operand(k);
    Node p = x.producer();
    boolean done = p != null && !p.op().fullName().equals("graph.matmul")
        && foldAfter(n, x, a, false, registry, new ArrayList<>(), pending) != null;
    done = done || foldBefore(n, x, a, pending);
    if (done) {
      Rewrites.eraseIfDead(constant);
    }
    return done;
  }

  /**
   * Folds {@code node} (y = g·x + h per channel) into the producer of its input {@code x}; returns the
   * statistic to count, or null. With {@code batchNorm} the layer's bn_stats become the batch norm's;
   * otherwise statistics it has follow the affine map.
   */
  private String foldAfter(Node bn, Value x, Affine a, boolean batchNorm, OpRegistry registry,
      List<Rename> renames, Map<Node, ChannelLayer> pending) {
    Node p = x.producer();
    if (p == null || !Rewrites.hasSingleUse(x)) {
      return null;
    }
    String op = p.op().fullName();
    int c = a.g().length;
    switch (op) {
      case "graph.conv1d", "graph.conv2d", "graph.gemm" -> {
        ChannelLayer l = layer(p, pending);
        if (l == null || l.outChannels() != c) {
          return null;
        }
        for (int o = 0; o < c; o++) {
          l.scaleOut(o, a.g()[o]);
        }
        l.addToBias(a.h());
        finish(bn, p, a, batchNorm);
        return op.equals("graph.gemm") ? "into-gemm" : "into-conv";
      }
      case "graph.conv_transpose1d", "graph.conv_transpose2d" -> {
        if (!Rewrites.isFloat(p.operand(1)) || (p.numOperands() > 2 && !Rewrites.isFloat(p.operand(2)))) {
          return null;
        }
        finish(bn, foldIntoConvTranspose(p, a), a, batchNorm);
        return "into-conv-transpose";
      }
      case "graph.matmul" -> {
        if (!Rewrites.isFloat(p.operand(1)) || p.operand(0).type().rank() != 2 || p.operand(1).type().rank() != 2) {
          return null;
        }
        Tensor w = Rewrites.of(p.operand(1));
        int n = w.shape().dim(1);
        double[] v = Rewrites.doubles(w);
        for (int i = 0; i < v.length; i++) {
          v[i] *= a.g()[i % n];
        }
        Rewrites.replaceOperand(p, 1, Rewrites.tensor(w.type(), v));
        Value shift = Rewrites.insert(bn, "shift", Rewrites.tensor(x.type().withShape(Shape.of(n)), a.h()));
        renames.add(new Rename(shift, bn.operand(2).name()));
        Rewrites.replaceKeepingName(bn, GraphBuilder.before(bn, registry).op("graph.add", x, shift));
        return "into-matmul";
      }
      default -> {
        return null;
      }
    }
  }

  /** The pending layer view of {@code n}, made on first use (null if {@code n} is no conv/gemm layer). */
  private static ChannelLayer layer(Node n, Map<Node, ChannelLayer> pending) {
    ChannelLayer l = pending.get(n);
    if (l == null) {
      l = ChannelLayer.of(n);
      if (l != null) {
        pending.put(n, l);
      }
    }
    return l;
  }

  /** Scales the weights feeding each output channel of a transposed convolution (C × M/group × k...). */
  private static Node foldIntoConvTranspose(Node p, Affine a) {
    Tensor w = Rewrites.of(p.operand(1));
    int cin = w.shape().dim(0);
    int mpg = w.shape().dim(1);
    int k = (int) (w.size() / ((long) cin * mpg));
    int group = (int) p.intAttr("group");
    int cpg = cin / group;
    double[] v = Rewrites.doubles(w);
    for (int ci = 0; ci < cin; ci++) {
      int g = ci / cpg;
      for (int m = 0; m < mpg; m++) {
        double f = a.g()[g * mpg + m];
        int base = (ci * mpg + m) * k;
        for (int j = 0; j < k; j++) {
          v[base + j] *= f;
        }
      }
    }
    int oc = a.g().length;
    double[] bias = p.numOperands() > 2 ? Rewrites.doubles(Rewrites.of(p.operand(2))) : new double[oc];
    for (int o = 0; o < oc; o++) {
      bias[o] = bias[o] * a.g()[o] + a.h()[o];
    }
    Rewrites.replaceOperand(p, 1, Rewrites.tensor(w.type(), v));
    Tensor b = Rewrites.tensor(w.type().withShape(Shape.of(oc)), bias);
    if (p.numOperands() > 2) {
      Rewrites.replaceOperand(p, 2, b);
      return p;
    }
    Value bv = Rewrites.insert(p, ChannelLayer.biasName(p), b);
    return Rewrites.rebuild(p, p.op(), List.of(p.operand(0), p.operand(1), bv), p.attributes());
  }

  /**
   * The folded node takes the batch norm's place (and name) and, if asked, its statistics; a folded
   * scale-shift maps the statistics the node has.
   */
  private void finish(Node bn, Node folded, Affine a, boolean batchNorm) {
    if (!batchNorm) {
      if (folded.attr(BN_STATS) instanceof Attribute.TensorAttr ta) {
        int c = a.g().length;
        double[] s = Rewrites.doubles(ta.value());
        for (int i = 0; i < c; i++) {
          s[i] = a.g()[i] * s[i] + a.h()[i];
          s[c + i] *= Math.abs(a.g()[i]);
        }
        folded.setAttribute(BN_STATS, new Attribute.TensorAttr(Rewrites.tensor(TensorType.f32(2, c), s)));
      }
    } else if (options().getBool("record-statistics")) {
      int c = a.g().length;
      double[] s = new double[2 * c];
      System.arraycopy(a.mean(), 0, s, 0, c);
      System.arraycopy(a.std(), 0, s, c, c);
      folded.setAttribute(BN_STATS, new Attribute.TensorAttr(Rewrites.tensor(TensorType.f32(2, c), s)));
    }
    Rewrites.replaceKeepingName(bn, folded.result());
  }

  /** Folds into every reader when all are unpadded convolutions reading it as their input. */
  private static boolean foldBefore(Node bn, Value input, Affine a, Map<Node, ChannelLayer> pending) {
    Value y = bn.result();
    if (!y.hasUsers() || y.graph().isOutput(y)) {
      return false;
    }
    var layers = new ArrayList<ChannelLayer>();
    for (Node u : y.users()) {
      String op = u.op().fullName();
      if (!op.equals("graph.conv2d") && !op.equals("graph.conv1d")) {
        return false;
      }
      ChannelLayer l = layer(u, pending);
      if (l == null || u.operand(0) != y || u.operand(1) == y || (u.numOperands() > 2 && u.operand(2) == y)
          || l.isPadded() || l.inChannels() != a.g().length || layers.stream().anyMatch(o -> o.node() == u)) {
        return false;
      }
      layers.add(l);
    }
    for (ChannelLayer l : layers) {
      // conv(g·x + h) = conv with weights·g applied to x, plus the response to the constant h
      double[] delta = l.responseTo(a.h());
      for (int c = 0; c < a.g().length; c++) {
        l.scaleIn(c, a.g()[c]);
      }
      l.addToBias(delta);
      l.node().setOperand(0, input);
    }
    bn.graph().erase(bn);
    return true;
  }

  /** y = x·g + h with constants shaped [C, 1, ...] so they broadcast along axis 1. */
  private static void lower(Node bn, Affine a, OpRegistry registry, List<Rename> renames) {
    Value x = bn.operand(0);
    int rank = x.type().rank();
    int c = a.g().length;
    int[] dims = new int[rank - 1];
    java.util.Arrays.fill(dims, 1);
    dims[0] = c;
    TensorType t = x.type().withShape(Shape.of(dims)).withQuant(null);
    Value g = Rewrites.insert(bn, "scale", Rewrites.tensor(t, a.g()));
    Value h = Rewrites.insert(bn, "shift", Rewrites.tensor(t, a.h()));
    renames.add(new Rename(g, bn.operand(1).name()));
    renames.add(new Rename(h, bn.operand(2).name()));
    var b = GraphBuilder.before(bn, registry);
    Value scaled = b.op("graph.mul", x, g);
    Value shifted = b.op("graph.add", scaled, h);
    Rewrites.replaceKeepingName(bn, shifted);
  }
}
