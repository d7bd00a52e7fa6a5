package dev.cimc.compiler.quant;

import dev.cimc.frontend.dsl.LayerHints;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.config.ActivationSpec;
import dev.cimc.ir.quant.config.LayerMatch;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.quant.config.LayerRule;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.WeightSpec;
import java.util.ArrayList;
import java.util.Map;

/**
 * The DSL's {@code @quant(w=, a=, granularity=)} hints as mixed-precision rules, so annotations and config
 * files share one mechanism: one rule per annotated node still in its graph, matching its current result
 * name exactly. {@code @digital} and {@code @duplicate} concern placement and give no rule.
 */
public final class DslQuantRules {
  private DslQuantRules() {}

  /** Rules for the hinted nodes (erased nodes are skipped), in graph order of the hints. */
  public static QuantConfig of(Map<Node, LayerHints> hints) {
    // Call before the graph passes: fusion replaces hinted nodes (their rules then name their weights).
    var rules = new ArrayList<LayerRule>();
    for (var e : hints.entrySet()) {
      Node n = e.getKey();
      LayerHints h = e.getValue();
      if (n.isErased() || n.numResults() == 0
          || (h.weightBits() == null && h.activationBits() == null && h.granularity() == null)) {
        continue;
      }
      if (foldsIntoItsLayer(n)) {
        continue; // the layer's own rule covers the unit folding and fusion make of it
      }
      check(n, "w", h.weightBits());
      check(n, "a", h.activationBits());
      Boolean perChannel = h.granularity() == null ? null : h.granularity() == LayerHints.Granularity.CHANNEL;
      var w = new WeightSpec(h.weightBits(), null, perChannel, null, null);
      var a = new ActivationSpec(h.activationBits(), null, null, null);
      // A weighted layer is named by its weight, which folding and fusion keep (they rename results).
      Value weight = MixedPrecision.weight(n);
      String name = weight != null ? weight.name() : n.result(0).name();
      rules.add(new LayerRule(LayerMatch.exactly(name), w, a, false, n.location()));
    }
    return QuantConfig.of(rules);
  }

  private static final java.util.Set<String> ACTIVATIONS = java.util.Set.of("graph.relu", "graph.clip",
      "graph.leaky_relu", "graph.hard_swish", "graph.sigmoid");

  /** A batch norm, or an activation right after a weighted layer or batch norm: -O1/-O2 fold or fuse them away. */
  static boolean foldsIntoItsLayer(Node n) {
    String op = n.op().fullName();
    if (op.equals("graph.batch_norm")) {
      return true;
    }
    if (!ACTIVATIONS.contains(op)) {
      return false;
    }
    Node p = n.operand(0).producer();
    return p != null && (MixedPrecision.weight(p) != null || p.op().fullName().equals("graph.batch_norm"));
  }

  private static void check(Node n, String param, Integer bits) {
    if (bits != null && (bits < 2 || bits > 8)) {
      throw new CimcException(n.location(), "`@quant(" + param + "=" + bits + ")` on layer %" + n.result(0).name()
          + ": quantization takes 2 to 8 bits", "give " + param + " between 2 and 8");
    }
  }
}
