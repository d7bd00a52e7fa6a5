package dev.cimc.frontend.dsl;

import dev.cimc.ir.graph.Value;

/**
 * A built-in layer of the DSL: its signature, a one-line summary, and how it lowers to graph-dialect ops.
 *
 * @param signature the parameters, tensors first
 * @param summary what the layer computes, for help text
 * @param lowering adds the layer's nodes and returns its result
 */
record LayerDef(Signature signature, String summary, Lowering lowering) {
  /** Adds the nodes of one call; throws {@link LayerFailure} when the arguments do not fit the input. */
  @FunctionalInterface
  interface Lowering {
    Value lower(LayerCall call);
  }

  String name() {
    return signature.name();
  }
}
