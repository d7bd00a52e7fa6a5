package dev.cimc.ir.quant.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A mixed-precision configuration: default settings over the target's (or flags') schemes, and per-layer
 * rules. For each layer the <em>first</em> rule that selects it applies, whole; later rules do not add to
 * it. A config file's rules therefore come in file order, and {@link #then} puts one configuration's rules
 * before another's (the command line's config file before a DSL model's annotations).
 *
 * @param weight defaults for every weight
 * @param activation defaults for every activation (its range method is the calibration's default)
 * @param layers rules in order of precedence
 */
public record QuantConfig(WeightSpec weight, ActivationSpec activation, List<LayerRule> layers) {
  /** No settings and no rules. */
  public static final QuantConfig EMPTY = new QuantConfig(WeightSpec.NONE, ActivationSpec.NONE, List.of());

  public QuantConfig {
    weight = weight == null ? WeightSpec.NONE : weight;
    activation = activation == null ? ActivationSpec.NONE : activation;
    layers = List.copyOf(layers);
  }

  /** Only rules. */
  public static QuantConfig of(List<LayerRule> layers) {
    return new QuantConfig(WeightSpec.NONE, ActivationSpec.NONE, layers);
  }

  public boolean isEmpty() {
    return weight.isEmpty() && activation.isEmpty() && layers.isEmpty();
  }

  /**
   * This configuration, then {@code later}: this one's rules take precedence, and its defaults override
   * {@code later}'s field by field.
   */
  public QuantConfig then(QuantConfig later) {
    var all = new ArrayList<>(layers);
    all.addAll(later.layers);
    return new QuantConfig(later.weight.overriddenBy(weight), later.activation.overriddenBy(activation), all);
  }
}
