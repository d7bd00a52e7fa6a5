package dev.cimc.ir.autodiff;

import dev.cimc.ir.graph.Node;
import dev.cimc.ir.tensor.Tensor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Results of nodes that read only constants (e.g. fake-quantized weights), computed once and shared by the
 * tapes of one {@link Parameters} (the samples of a mini-batch). Thread-safe; tied to its parameters.
 */
public final class ConstantCache {
  private final Parameters params;
  private final ConcurrentHashMap<Node, Tensor> values = new ConcurrentHashMap<>();

  public ConstantCache(Parameters params) {
    this.params = params;
  }

  public Parameters parameters() {
    return params;
  }

  Tensor get(Node n, Function<Node, Tensor> compute) {
    return values.computeIfAbsent(n, compute);
  }
}
