package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuses layers into the units the hardware executes, in one forward sweep (each rewrite looks back from
 * the later node, so chains such as matmul → add → relu end as one fused_gemm):
 *
 * <ul>
 *   <li>a zero constant {@code graph.pad} of the spatial axes into the padding of the conv1d/conv2d that
 *       reads it;
 *   <li>{@code matmul(A, B) + C} (2-D, C broadcasting to the result) into {@code gemm(A, B, C)};
 *   <li>a per-channel constant added to a conv or gemm result into its bias;
 *   <li>conv2d, gemm or float add followed by relu, clip (relu6 is clip [0, 6]), leaky_relu, hard_swish or
 *       sigmoid into {@code graph.fused_conv2d}, {@code graph.fused_gemm} or {@code graph.fused_add}.
 * </ul>
 *
 * The fused node takes the name of the node it replaces; every rewrite is exact (the fused kernels run
 * the same arithmetic). Transpose and reshape cancellation are canonicalization patterns of those ops.
 */
public final class Fuse extends Pass {
  public static final PassDef DEF = PassDef.builder("fuse", "Fuse")
      .summary("fold pads and biases into convolutions, matmul + add into gemm, and activations into the "
          + "conv2d, gemm or add before them")
      .statistic("pads-folded", "constant zero pads folded into convolution padding")
      .statistic("matmuls-to-gemm", "matmul + add pairs turned into gemm")
      .statistic("biases-folded", "per-channel constant adds folded into a conv or gemm bias")
      .statistic("convs-fused", "conv2d + activation pairs fused")
      .statistic("gemms-fused", "gemm + activation pairs fused")
      .statistic("adds-fused", "add + activation pairs fused")
      .factory(Fuse::new)
      .build();

  private Fuse(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    boolean changed = false;
    OpRegistry ops = context.registry();
    for (Node n : graph.nodes()) {
      if (n.isErased()) {
        continue;
      }
      String stat = switch (n.op().fullName()) {
        case "graph.conv1d", "graph.conv2d" -> foldPad(n) ? "pads-folded" : null;
        case "graph.add" -> {
          if (matmulToGemm(n, ops)) {
            yield "matmuls-to-gemm";
          }
          yield foldBias(n) ? "biases-folded" : null;
        }
        case "graph.relu", "graph.clip", "graph.leaky_relu", "graph.hard_swish", "graph.sigmoid" ->
            fuseActivation(n, ops);
        default -> null;
      };
      if (stat != null) {
        context.increment(stat);
        changed = true;
      }
    }
    return changed;
  }

  // ---------------------------------------------------------------------------------------------- pad

  /** conv(pad(x)) = conv(x) with the pad's spatial amounts added to the conv's pads, for zero constant pads. */
  private static boolean foldPad(Node conv) {
    Node pad = conv.operand(0).producer();
    if (pad == null || !pad.op().fullName().equals("graph.pad") || !conv.stringAttr("auto_pad").equals("NOTSET")
        || !pad.stringAttr("mode").equals("constant") || pad.floatAttr("value") != 0) {
      return false;
    }
    Value x = pad.operand(0);
    int rank = x.type().rank();
    long[] spec = pad.intsAttr("pads");
    Attribute axesAttr = pad.attr("axes");
    long[] begin = new long[rank];
    long[] end = new long[rank];
    int k = spec.length / 2;
    for (int i = 0; i < k; i++) {
      int axis = i;
      if (axesAttr != null) {
        long a = ((Attribute.IntsAttr) axesAttr).get(i);
        axis = (int) (a < 0 ? a + rank : a);
      }
      begin[axis] += spec[i];
      end[axis] += spec[i + k];
    }
    if (begin[0] != 0 || end[0] != 0 || begin[1] != 0 || end[1] != 0) {
      return false;
    }
    int spatial = rank - 2;
    long[] pads = conv.intsAttr("pads").clone();
    for (int d = 0; d < spatial; d++) {
      if (begin[d + 2] < 0 || end[d + 2] < 0) {
        return false;
      }
      pads[d] += begin[d + 2];
      pads[d + spatial] += end[d + 2];
    }
    conv.setAttribute("pads", Attribute.ints(pads));
    conv.setOperand(0, x);
    Rewrites.eraseIfDead(pad.result());
    return true;
  }

  // ---------------------------------------------------------------------------------------------- gemm

  /** matmul(A, B) + C = gemm(A, B, C) for 2-D A and B when C broadcasts to the product's shape. */
  private static boolean matmulToGemm(Node add, OpRegistry ops) {
    for (int side = 0; side < 2; side++) {
      Node mm = add.operand(side).producer();
      Value c = add.operand(1 - side);
      if (mm == null || !mm.op().fullName().equals("graph.matmul") || !Rewrites.hasSingleUse(mm.result())
          || mm.operand(0).type().rank() != 2 || mm.operand(1).type().rank() != 2
          || !add.result().type().equals(mm.result().type()) || !add.result().type().elementType().isFloat()
          || !broadcastsTo(c.type().shape(), mm.result().type().shape())) {
        continue;
      }
      Rewrites.rebuild(add, ops.get("graph.gemm"), List.of(mm.operand(0), mm.operand(1), c), Attributes.EMPTY);
      mm.graph().erase(mm);
      return true;
    }
    return false;
  }

  /** Unidirectional broadcasting of {@code s} to a static 2-D {@code target}. */
  private static boolean broadcastsTo(Shape s, Shape target) {
    if (s.rank() > 2) {
      return false;
    }
    for (int i = 0; i < s.rank(); i++) {
      int d = s.dim(i);
      int t = target.dim(2 - s.rank() + i);
      if (d != 1 && d != t) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------- bias

  /** conv(x) + v = conv(x) with bias b + v, for v constant per output channel; the same for gemm columns. */
  private static boolean foldBias(Node add) {
    for (int side = 0; side < 2; side++) {
      Node p = add.operand(side).producer();
      Value v = add.operand(1 - side);
      if (p == null || !Rewrites.isFloat(v) || !Rewrites.hasSingleUse(p.result())
          || !add.result().type().equals(p.result().type())) {
        continue;
      }
      String op = p.op().fullName();
      boolean conv = op.equals("graph.conv1d") || op.equals("graph.conv2d") || op.equals("graph.conv_transpose1d")
          || op.equals("graph.conv_transpose2d");
      if (!conv && !op.equals("graph.gemm")) {
        continue;
      }
      TensorType t = p.result().type();
      int channels = t.dim(1);
      double[] delta = channels == Shape.DYNAMIC ? null : LayerPair.perChannel(Rewrites.of(v), t.rank(), channels);
      if (delta == null) {
        continue;
      }
      Node folded;
      if (conv) {
        if (p.numOperands() > 2 && !Rewrites.isFloat(p.operand(2))) {
          continue;
        }
        folded = addConvBias(p, delta);
      } else {
        ChannelLayer l = ChannelLayer.of(p);
        if (l == null) {
          continue;
        }
        l.addToBias(delta);
        l.writeBack();
        folded = l.node();
      }
      Rewrites.replaceKeepingName(add, folded.result());
      Rewrites.eraseIfDead(v);
      return true;
    }
    return false;
  }

  private static Node addConvBias(Node conv, double[] delta) {
    TensorType wt = conv.operand(1).type();
    double[] b = conv.numOperands() > 2 ? Rewrites.doubles(Rewrites.of(conv.operand(2))) : new double[delta.length];
    for (int i = 0; i < b.length; i++) {
      b[i] += delta[i];
    }
    Tensor t = Rewrites.tensor(new TensorType(wt.elementType(), Shape.of(delta.length), null), b);
    if (conv.numOperands() > 2) {
      Rewrites.replaceOperand(conv, 2, t);
      return conv;
    }
    Value bv = Rewrites.insert(conv, ChannelLayer.biasName(conv), t);
    return Rewrites.rebuild(conv, conv.op(), List.of(conv.operand(0), conv.operand(1), bv), conv.attributes());
  }

  // ---------------------------------------------------------------------------------------------- activations

  /** act(conv2d | gemm | add) = the fused op with {@code activation} set; returns the statistic or null. */
  private static String fuseActivation(Node act, OpRegistry ops) {
    Node p = act.operand(0).producer();
    if (p == null || !Rewrites.hasSingleUse(p.result()) || !act.result().type().elementType().isFloat()) {
      return null;
    }
    String fused;
    String stat;
    switch (p.op().fullName()) {
      case "graph.conv2d" -> {
        fused = "graph.fused_conv2d";
        stat = "convs-fused";
      }
      case "graph.gemm" -> {
        fused = "graph.fused_gemm";
        stat = "gemms-fused";
      }
      case "graph.add" -> {
        if (!p.result().type().elementType().isFloat()) {
          return null;
        }
        fused = "graph.fused_add";
        stat = "adds-fused";
      }
      default -> {
        return null;
      }
    }
    Attributes attrs = activationAttributes(act);
    if (attrs == null) {
      return null;
    }
    for (var e : p.attributes().entries()) {
      attrs = attrs.with(e.getKey(), e.getValue());
    }
    List<Value> operands = new ArrayList<>(p.operands());
    Node f = Rewrites.rebuild(act, ops.get(fused), operands, attrs);
    f.setLocation(p.location());
    p.graph().erase(p);
    return stat;
  }

  /** The fused-op attributes describing {@code act}, or null for a clip without bounds. */
  private static Attributes activationAttributes(Node act) {
    switch (act.op().fullName()) {
      case "graph.relu" -> {
        return Attributes.of("activation", Attribute.of("relu"));
      }
      case "graph.clip" -> {
        Attribute lo = act.attr("min");
        Attribute hi = act.attr("max");
        boolean zeroLow = lo instanceof Attribute.FloatAttr f && f.value() == 0;
        if (zeroLow && hi instanceof Attribute.FloatAttr h && h.value() == 6) {
          return Attributes.of("activation", Attribute.of("relu6"));
        }
        if (zeroLow && hi == null) {
          return Attributes.of("activation", Attribute.of("relu"));
        }
        if (lo == null && hi == null) {
          return null;
        }
        Attributes a = Attributes.of("activation", Attribute.of("clip"));
        a = lo == null ? a : a.with("min", lo);
        return hi == null ? a : a.with("max", hi);
      }
      case "graph.leaky_relu" -> {
        return Attributes.of("activation", Attribute.of("leaky_relu"), "slope", act.attr("alpha"));
      }
      case "graph.hard_swish" -> {
        return Attributes.of("activation", Attribute.of("hard_swish"));
      }
      case "graph.sigmoid" -> {
        return Attributes.of("activation", Attribute.of("sigmoid"));
      }
      default -> {
        return null;
      }
    }
  }
}
