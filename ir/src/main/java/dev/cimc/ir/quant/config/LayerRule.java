package dev.cimc.ir.quant.config;

import dev.cimc.ir.diag.Location;
import java.util.Objects;

/**
 * One per-layer rule: the layers it selects and how they are quantized, or {@code float: true} to leave
 * them unquantized.
 *
 * @param match the layers selected
 * @param weight weight settings (ignored for layers without a constant weight)
 * @param activation settings of the layer's result
 * @param keepFloat leave the layer's op in float ({@code float: true}); weight and activation are then empty
 * @param origin where the rule was written (a config file position or a DSL annotation), for warnings
 */
public record LayerRule(LayerMatch match, WeightSpec weight, ActivationSpec activation, boolean keepFloat,
    Location origin) {
  public LayerRule {
    Objects.requireNonNull(match, "match");
    weight = weight == null ? WeightSpec.NONE : weight;
    activation = activation == null ? ActivationSpec.NONE : activation;
    origin = origin == null ? Location.UNKNOWN : origin;
    if (keepFloat && (!weight.isEmpty() || activation.setsScheme())) {
      throw new IllegalArgumentException("a float layer takes no weight or activation scheme");
    }
  }

  /** A rule quantizing the selected layers with these settings. */
  public static LayerRule quantize(LayerMatch match, WeightSpec weight, ActivationSpec activation) {
    return new LayerRule(match, weight, activation, false, Location.UNKNOWN);
  }

  /** A rule leaving the selected layers in float. */
  public static LayerRule keepFloat(LayerMatch match) {
    return new LayerRule(match, WeightSpec.NONE, ActivationSpec.NONE, true, Location.UNKNOWN);
  }
}
