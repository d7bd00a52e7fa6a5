package dev.cimc.frontend.dsl;

import java.util.ArrayList;

/**
 * The hardware hints a {@code .cim} program attaches to layers with annotations, for the quantization and
 * placement passes that run later. Graph ops have fixed attribute schemas, so the hints travel beside
 * the graph in {@link DslModel#hints()}, keyed by the result value name of each node a layer produced.
 * An annotation on a block call or a {@code repeat} applies to every layer inside; an inner annotation
 * overrides an outer one field by field.
 *
 * @param weightBits {@code @quant(w=N)}: bits per weight, or null when not given
 * @param activationBits {@code @quant(a=N)}: bits per activation, or null
 * @param granularity {@code @quant(granularity=tensor|channel)}: weight scale granularity, or null
 * @param duplicate {@code @duplicate(N)}: how many copies of the layer's weights to place, or null
 * @param digital {@code @digital}: keep the layer off the crossbars (run it on the digital units)
 */
public record LayerHints(Integer weightBits, Integer activationBits, Granularity granularity, Integer duplicate,
    boolean digital) {

  /** No hints. */
  public static final LayerHints NONE = new LayerHints(null, null, null, null, false);

  /** Scale granularity of weight quantization. */
  public enum Granularity {
    /** One scale for the whole tensor. */
    TENSOR,
    /** One scale per output channel. */
    CHANNEL
  }

  public boolean isEmpty() {
    return weightBits == null && activationBits == null && granularity == null && duplicate == null && !digital;
  }

  /** These hints with every field that {@code inner} sets taken from {@code inner}. */
  public LayerHints overriddenBy(LayerHints inner) {
    if (inner.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return inner;
    }
    return new LayerHints(inner.weightBits != null ? inner.weightBits : weightBits,
        inner.activationBits != null ? inner.activationBits : activationBits,
        inner.granularity != null ? inner.granularity : granularity,
        inner.duplicate != null ? inner.duplicate : duplicate, digital || inner.digital);
  }

  /** The hints as annotations would write them: {@code @quant(w=4, a=8) @digital}. */
  @Override
  public String toString() {
    var parts = new ArrayList<String>();
    var quant = new ArrayList<String>();
    if (weightBits != null) {
      quant.add("w=" + weightBits);
    }
    if (activationBits != null) {
      quant.add("a=" + activationBits);
    }
    if (granularity != null) {
      quant.add("granularity=" + granularity.name().toLowerCase(java.util.Locale.ROOT));
    }
    if (!quant.isEmpty()) {
      parts.add("@quant(" + String.join(", ", quant) + ")");
    }
    if (duplicate != null) {
      parts.add("@duplicate(" + duplicate + ")");
    }
    if (digital) {
      parts.add("@digital");
    }
    return String.join(" ", parts);
  }
}
