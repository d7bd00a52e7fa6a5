package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import java.util.List;

/**
 * Writes PTQ results back into the float graph, which is how the {@code quantize} pass consumes them: the
 * layer's weight constant becomes {@link RoundedWeights#weights()} (which the pass's per-channel min-max
 * quantizes back to the same codes, see {@link AdaRound}) and its bias the corrected bias. A constant is
 * changed in place (keeping its name, so plan entries by name still apply) when the layer is its only user,
 * else the layer gets a fresh constant.
 */
public final class WeightUpdate {
  private WeightUpdate() {}

  /** Replaces the layer's weights. */
  public static void setWeights(Graph g, Layer layer, Tensor weights) {
    set(g, layer.node(), 1, weights);
  }

  /** Replaces (or adds, for conv2d and gemm without one) the layer's bias. */
  public static void setBias(Graph g, Layer layer, Tensor bias) {
    Node n = layer.node();
    if (n.numOperands() > 2) {
      set(g, n, 2, bias);
      return;
    }
    throw new IllegalArgumentException(n.describe() + ": the layer has no bias operand to correct; add a zero bias first");
  }

  private static void set(Graph g, Node n, int operand, Tensor t) {
    Value old = n.operand(operand);
    if (!old.type().equals(t.type())) {
      throw new IllegalArgumentException("new constant has type " + t.type() + ", %" + old.name() + " has " + old.type());
    }
    Node p = old.producer();
    if (p != null && p.op() == Builtin.CONST && old.users().size() == 1 && !g.isOutput(old)) {
      p.setAttribute("value", new Attribute.TensorAttr(t));
      return;
    }
    Node c = g.insertBefore(n, Builtin.CONST, List.of(), Attributes.of("value", new Attribute.TensorAttr(t)),
        List.of(t.type()), List.of(g.uniqueName(old.name())), n.location());
    n.setOperand(operand, c.result());
  }
}
