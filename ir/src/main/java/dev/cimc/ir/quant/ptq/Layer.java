package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;

/**
 * A weight layer the PTQ algorithms work on: graph.conv2d (OIHW weights, output channels on axis 1 of
 * the result), graph.gemm or graph.matmul with a constant weight operand, or a fused conv/gemm (the
 * algorithms work on its linear part, {@link #linearOp}).
 *
 * @param node the layer
 * @param weight the constant weight tensor
 * @param weightAxis the output-channel axis of the weight (0 for conv2d and gemm with trans_b = 1, else 1)
 * @param outputAxis the channel axis of the result (1 for conv2d, the last axis otherwise)
 */
public record Layer(Node node, Tensor weight, int weightAxis, int outputAxis) {
  /** The layer view of {@code n}; IllegalArgumentException if it is not a weight layer with a constant weight. */
  public static Layer of(Node n) {
    String op = n.op().fullName();
    Tensor w = constant(n.operand(1));
    if (w == null) {
      throw new IllegalArgumentException(n.describe() + ": the weight operand is not a constant");
    }
    return switch (op) {
      case "graph.conv2d", "graph.fused_conv2d" -> new Layer(n, w, 0, 1);
      case "graph.gemm", "graph.fused_gemm" -> new Layer(n, w, n.intAttr("trans_b") != 0 ? 0 : 1, 1);
      case "graph.matmul" -> {
        if (w.shape().rank() != 2) {
          throw new IllegalArgumentException(n.describe() + ": matmul weights must be 2-D, got " + w.type());
        }
        yield new Layer(n, w, 1, n.result().type().rank() - 1);
      }
      default -> throw new IllegalArgumentException(n.describe() + ": not a weight layer (conv2d, gemm, matmul)");
    };
  }

  /** The tensor a constant value holds, or null. */
  public static Tensor constant(Value v) {
    Node p = v.producer();
    if (p != null && p.attr("value") instanceof Attribute.TensorAttr ta) {
      return ta.value();
    }
    return null;
  }

  private static final dev.cimc.ir.op.OpRegistry OPS = dev.cimc.ir.dialect.Dialects.standard();

  /**
   * The op computing the layer's linear part W·x + b: the node's own op, or for a fused conv/gemm the
   * unfused one (the PTQ algorithms reason about the output before the activation).
   */
  public dev.cimc.ir.op.OpDef linearOp() {
    String op = node.op().fullName();
    return switch (op) {
      case "graph.fused_conv2d" -> OPS.get("graph.conv2d");
      case "graph.fused_gemm" -> OPS.get("graph.gemm");
      default -> node.op();
    };
  }

  /** True for conv2d and fused_conv2d. */
  public boolean isConv() {
    return linearOp().fullName().equals("graph.conv2d");
  }

  /** Output channels. */
  public int outChannels() {
    return weight.shape().dim(weightAxis);
  }

  /** The bias operand's tensor (conv2d's third operand, gemm's C), or null. */
  public Tensor bias() {
    return node.numOperands() > 2 ? constant(node.operand(2)) : null;
  }

  /** The weight as an O × K row-major matrix (output channel first). */
  public double[] weightMatrix() {
    int o = outChannels();
    int k = weight.size() / o;
    double[] m = new double[weight.size()];
    if (weightAxis == 0) {
      for (int i = 0; i < m.length; i++) {
        m[i] = weight.getDouble(i);
      }
    } else { // K × N stored: transpose
      for (int r = 0; r < k; r++) {
        for (int c = 0; c < o; c++) {
          m[c * k + r] = weight.getDouble(r * o + c);
        }
      }
    }
    return m;
  }
}
