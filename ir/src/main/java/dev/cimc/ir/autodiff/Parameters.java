package dev.cimc.ir.autodiff;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import dev.cimc.ir.tensor.Tensor;

/**
 * What a {@link Tape} differentiates and with which values: constants replaced by name (the trainable
 * weights), quantizers of {@code q.quantize} nodes replaced by result name (their scales get gradients), and
 * the names of the constants and graph inputs to differentiate with respect to.
 *
 * @param constants value of a {@code const} result by name, instead of its attribute
 * @param quantizers fake quantizer of a {@code q.quantize} result by name, instead of its type's parameters
 * @param wrt constants and graph inputs whose gradients the backward pass returns
 */
public record Parameters(Map<String, Tensor> constants, Map<String, FakeQuant> quantizers, Set<String> wrt) {
  public Parameters {
    constants = Collections.unmodifiableMap(new TreeMap<>(constants));
    quantizers = Collections.unmodifiableMap(new TreeMap<>(quantizers));
    wrt = Collections.unmodifiableSet(new TreeSet<>(wrt));
  }

  /** Differentiates with respect to {@code names} with the graph's own constants and quantizers. */
  public static Parameters wrt(Set<String> names) {
    return new Parameters(Map.of(), Map.of(), names);
  }
}
