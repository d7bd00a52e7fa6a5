package dev.cimc.ir.quant.config;

import dev.cimc.ir.graph.Graph;

/**
 * The mixed-precision configuration the {@code quantize} pass reads (a pass resource), asked for when the pass
 * runs: rules from DSL annotations are attached to nodes and name them as the graph passes left them.
 */
@FunctionalInterface
public interface QuantConfigSource {
  /** The configuration for {@code g} as it reaches the quantize pass. */
  QuantConfig configFor(Graph g);

  /** A fixed configuration. */
  static QuantConfigSource of(QuantConfig config) {
    return g -> config;
  }
}
