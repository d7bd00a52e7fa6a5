package dev.cimc.ir.quant.config;

import dev.cimc.ir.diag.Location;
import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.quant.QuantScheme;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves a {@link QuantConfig} against a graph (after the graph passes, before {@code quantize}): each
 * layer (every node that is not a constant) takes the first rule that selects it. Rules that select no
 * layer are reported with the nearest layer or op name.
 */
public final class MixedPrecision {
  private MixedPrecision() {}

  /** Ops whose operand 1, when constant, is the layer's weight. */
  private static final Set<String> WEIGHTED = Set.of("graph.conv1d", "graph.conv2d", "graph.conv_transpose1d",
      "graph.conv_transpose2d", "graph.gemm", "graph.matmul", "graph.fused_conv2d", "graph.fused_gemm");

  /** Resolves {@code config} against {@code g}. */
  public static PrecisionAssignment resolve(Graph g, QuantConfig config) {
    List<LayerRule> rules = config.layers();
    boolean[] used = new boolean[rules.size()];
    var weights = new HashMap<String, WeightSpec>();
    var activations = new HashMap<String, ActivationSpec>();
    var floats = new LinkedHashSet<String>();
    var layers = new HashMap<String, Integer>();
    var layerNames = new LinkedHashSet<String>();
    var opNames = new LinkedHashSet<String>();
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().has(Trait.CONSTANT_LIKE) || n.numResults() == 0) {
        continue;
      }
      for (Value r : n.results()) {
        layerNames.add(r.name());
      }
      if (n.location() instanceof Location.Named named) {
        layerNames.add(named.name());
      }
      if (weight(n) != null) {
        layerNames.add(weight(n).name());
      }
      opNames.add(n.op().fullName());
      for (int i = 0; i < rules.size(); i++) {
        LayerRule rule = rules.get(i);
        if (!rule.match().matches(n)) {
          continue;
        }
        used[i] = true;
        layers.put(n.result(0).name(), i);
        if (rule.keepFloat()) {
          for (Value r : n.results()) {
            floats.add(r.name());
          }
          if (rule.activation().range() != null) {
            activations.put(n.result(0).name(), rule.activation());
          }
          break;
        }
        Value w = weight(n);
        if (w != null && !rule.weight().isEmpty()) {
          weights.put(w.name(), rule.weight());
        }
        if (!rule.activation().isEmpty()) {
          for (Value r : n.results()) {
            activations.put(r.name(), rule.activation());
          }
        }
        break;
      }
    }
    var warnings = new ArrayList<ConfigWarning>();
    schemeWarnings("default weight settings", Location.UNKNOWN, config.weight(), warnings);
    for (int i = 0; i < rules.size(); i++) {
      LayerRule rule = rules.get(i);
      if (!used[i]) {
        warnings.add(unmatched(rule, layerNames, opNames));
      } else {
        schemeWarnings("layers with " + rule.match().describe(), rule.origin(), rule.weight(), warnings);
      }
    }
    return new PrecisionAssignment(config.weight(), config.activation(), weights, activations, floats, layers,
        warnings);
  }

  /** The constant weight of a conv/gemm/matmul layer, or null. */
  public static Value weight(Node n) {
    if (!WEIGHTED.contains(n.op().fullName()) || n.numOperands() < 2) {
      return null;
    }
    Node p = n.operand(1).producer();
    return p != null && p.op() == Builtin.CONST ? n.operand(1) : null;
  }

  private static void schemeWarnings(String what, Location origin, WeightSpec w, List<ConfigWarning> out) {
    if (w.kind() == QuantScheme.Kind.LOG2 && w.bits() != null && (w.bits() < 3 || w.bits() > 5)) {
      out.add(new ConfigWarning(origin, what + ": log2 weights take 3 to 5 bits, not " + w.bits()
          + ": these layers stay in float", "use bits: 3, 4 or 5 with scheme: log2"));
    }
    if (Boolean.FALSE.equals(w.symmetric())) {
      out.add(new ConfigWarning(origin, what + ": the quantize pass takes symmetric weights only: these layers"
          + " stay in float", "drop `symmetric: false`"));
    }
  }

  private static ConfigWarning unmatched(LayerRule rule, Set<String> layerNames, Set<String> opNames) {
    LayerMatch m = rule.match();
    String hint = null;
    if (m.name() != null) {
      hint = Spelling.didYouMean(m.name(), layerNames);
    }
    if (hint == null && m.op() != null) {
      var candidates = new LinkedHashSet<String>();
      for (String op : opNames) {
        candidates.add(m.op().indexOf('.') >= 0 ? op : op.substring(op.indexOf('.') + 1));
      }
      hint = Spelling.didYouMean(m.op(), candidates);
    }
    if (hint == null) {
      hint = "layers are named by their result value (see `--emit=graph`) or, in ONNX models, by node name";
    }
    return new ConfigWarning(rule.origin(), "layer rule (" + m.describe() + ") matches no layer", hint);
  }
}
