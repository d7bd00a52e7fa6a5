package dev.cimc.ir.quant;

import dev.cimc.ir.graph.Graph;

/**
 * Per-layer quantization choices (mixed precision) given to the {@code quantize} pass as a pass resource:
 * from a configuration file or the DSL's {@code @quant} annotations. It is applied to the graph as the pass
 * sees it (after the graph passes renamed and fused what they did), so rules may match layers by name,
 * location or op.
 */
@FunctionalInterface
public interface LayerSchemes {
  /** {@code base} with the per-value and per-weight schemes these choices give {@code g}'s layers. */
  QuantPlan refine(Graph g, QuantPlan base);
}
