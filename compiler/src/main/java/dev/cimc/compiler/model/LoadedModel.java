package dev.cimc.compiler.model;

import dev.cimc.compiler.quant.DslQuantRules;
import dev.cimc.frontend.dsl.LayerHints;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.quant.config.QuantConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded model: its graph, and the layer hints a {@code .cim} program's annotations gave (empty for
 * {@code .onnx} and {@code .cir}), keyed by the node they annotate. Nodes, unlike value names, survive the
 * graph passes (batch-norm folding renames a convolution's result after its batch norm), so the hints
 * still find their layers in the optimized graph.
 *
 * @param graph the graph (verified)
 * @param hints hints per annotated node, in graph order
 */
public record LoadedModel(Graph graph, Map<Node, LayerHints> hints) {
  public LoadedModel {
    hints = Collections.unmodifiableMap(new LinkedHashMap<>(hints));
  }

  /** A model without hints. */
  public static LoadedModel of(Graph graph) {
    return new LoadedModel(graph, Map.of());
  }

  /**
   * The {@code @quant} hints as mixed-precision rules: call it before the graph passes (fusion replaces the
   * hinted nodes; the rules name a weighted layer by its weight constant, which folding and fusion keep) and
   * put a config file's rules first ({@code file.then(rules)}).
   */
  public QuantConfig quantRules() {
    return DslQuantRules.of(hints);
  }
}
