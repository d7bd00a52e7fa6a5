package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.QuantPlan;

/**
 * Where activation quantizers sit (Nagel et al. 2021, section 4.1, "quantizer placement"): integer hardware
 * fuses a layer with the clamping activation behind it, so the layer's output is requantized once, to the
 * range of the activation's output. The {@code quantize} pass quantizes a conv/gemm result with its own
 * range and lets relu and clip keep those parameters; given the pre-activation range, half or more of the
 * codes go to values the activation then clamps away. {@link #afterActivations} gives each conv/gemm whose
 * result feeds only a chain of clamps (relu, clip, min against a constant, as cross-layer equalization
 * leaves relu6) the calibrated range of the chain's last result. Quantizing to that range clamps exactly
 * what the chain clamps, so only the resolution changes.
 */
public final class ActivationPlacement {
  private ActivationPlacement() {}

  /** {@code plan} with the ranges of fused layer outputs replaced by those of their activations' outputs. */
  public static QuantPlan afterActivations(Graph g, QuantPlan plan) {
    QuantPlan out = plan;
    for (Node n = g.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      if ((!op.equals("graph.conv2d") && !op.equals("graph.gemm")) || n.numResults() != 1) {
        continue;
      }
      Value last = lastClamp(n.result());
      QuantPlan.Range own = plan.range(n.result().name());
      QuantPlan.Range fused = last == null ? null : plan.range(last.name());
      if (own != null && fused != null && own.scheme() == null && fused.scheme() == null) {
        out = out.withRange(n.result().name(), fused);
      }
    }
    return out;
  }

  /** The result of the longest single-use chain of clamps reading {@code v}, or null if there is none. */
  static Value lastClamp(Value v) {
    Value last = null;
    while (v.users().size() == 1 && !v.graph().isOutput(v)) {
      Node u = v.users().get(0);
      if (!isClamp(u) || u.operand(activationOperand(u)) != v) {
        break;
      }
      v = u.result();
      last = v;
    }
    return last;
  }

  private static boolean isClamp(Node n) {
    return switch (n.op().fullName()) {
      case "graph.relu" -> true;
      case "graph.clip" -> n.numOperands() == 1;
      case "graph.min" -> n.numOperands() == 2 && (isConst(n.operand(0)) != isConst(n.operand(1)));
      default -> false;
    };
  }

  private static int activationOperand(Node n) {
    return n.op().fullName().equals("graph.min") && isConst(n.operand(0)) ? 1 : 0;
  }

  private static boolean isConst(Value v) {
    return Layer.constant(v) != null;
  }
}
