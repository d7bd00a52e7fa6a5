package dev.cimc.frontend.dsl;

import dev.cimc.ir.graph.Graph;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A lowered {@code .cim} model: the graph-dialect graph (every type inferred by the op definitions as it was
 * built; the compiler's pipeline runs the verifier on it as on any imported graph), the layer hints the program's
 * annotations gave, keyed by node result value name in graph order (see {@link LayerHints}), and the
 * warnings the checker found (unused values, unused weight-file entries).
 */
public record DslModel(Graph graph, Map<String, LayerHints> hints, List<DslDiagnostic> warnings) {
  public DslModel {
    hints = Collections.unmodifiableMap(new LinkedHashMap<>(hints));
    warnings = List.copyOf(warnings);
  }

  /** The hints of the node whose result is named {@code valueName}, or {@link LayerHints#NONE}. */
  public LayerHints hintsOf(String valueName) {
    return hints.getOrDefault(valueName, LayerHints.NONE);
  }
}
