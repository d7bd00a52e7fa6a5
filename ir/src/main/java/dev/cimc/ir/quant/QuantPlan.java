package dev.cimc.ir.quant;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the {@code quantize} pass needs to know, as plain data: for each activation value (by name in the
 * float graph) its range and optionally its own scheme, and for each weight constant (by value name)
 * optionally its own scheme. Values without an entry use the defaults; that is how mixed precision per
 * layer is expressed. Calibration produces plans ({@code RandomCalibration} is a stand-in running random
 * inputs); nothing else is needed to plug a calibrator in.
 *
 * <p>Weight schemes are given with any channel axis (or per tensor): the pass quantizes per output channel
 * of the consuming op when the scheme is per channel, over each channel's min/max. Activations are
 * quantized per tensor. Maps are copied into sorted, unmodifiable maps, so a plan prints and iterates
 * deterministically.
 *
 * @param defaultActivation scheme of activations without their own (default unsigned asymmetric 8-bit)
 * @param defaultWeight scheme of weights without their own (default signed symmetric per-channel 8-bit)
 * @param activations range (and optional scheme) per activation value name
 * @param weights scheme per weight constant value name
 * @param weightRanges range per weight constant (per channel of its scheme, or one) that replaces the
 *     constant's own min/max, e.g. the scales learned by quantization-aware training; weights outside clamp
 * @param weightCodes quantized tensors chosen for weight constants (by value name) by a PTQ algorithm
 *     (MSE range setting, AdaRound): the pass uses these codes and their parameters as they are, instead of
 *     rounding the constant to nearest
 * @param floatLayers result value names of ops the pass leaves in float (mixed precision {@code float: true});
 *     their results may still be quantized for the ops that read them
 */
public record QuantPlan(QuantScheme defaultActivation, QuantScheme defaultWeight, Map<String, Range> activations,
    Map<String, QuantScheme> weights, Map<String, ValueRange> weightRanges, Map<String, Tensor> weightCodes,
    Set<String> floatLayers) {

  /**
   * The observed range of one activation value.
   *
   * @param min smallest value seen
   * @param max largest value seen
   * @param scheme the value's own scheme, or null for the plan's default
   */
  public record Range(double min, double max, QuantScheme scheme) {
    public Range {
      if (!(min <= max) || Double.isInfinite(min) || Double.isInfinite(max)) {
        throw new IllegalArgumentException("range needs finite min ≤ max, got [" + min + ", " + max + "]");
      }
    }

    public Range(double min, double max) {
      this(min, max, null);
    }
  }

  public QuantPlan {
    Objects.requireNonNull(defaultActivation, "defaultActivation");
    Objects.requireNonNull(defaultWeight, "defaultWeight");
    activations = Collections.unmodifiableMap(new TreeMap<>(activations));
    weights = Collections.unmodifiableMap(new TreeMap<>(weights));
    weightRanges = Collections.unmodifiableMap(new TreeMap<>(weightRanges));
    weightCodes = Collections.unmodifiableMap(new TreeMap<>(weightCodes));
    for (var e : weightCodes.entrySet()) {
      if (e.getValue().type().quant() == null) {
        throw new IllegalArgumentException("weight codes of '" + e.getKey() + "' carry no quantization parameters");
      }
    }
    floatLayers = Collections.unmodifiableSet(new TreeSet<>(floatLayers));
  }

  /** A plan without weight ranges or codes (weights are quantized over their own min/max), no float layers. */
  public QuantPlan(QuantScheme defaultActivation, QuantScheme defaultWeight, Map<String, Range> activations,
      Map<String, QuantScheme> weights) {
    this(defaultActivation, defaultWeight, activations, weights, Map.of(), Map.of(), Set.of());
  }

  /** The default schemes (W8 per channel, A8 asymmetric per tensor) and no ranges. */
  public static QuantPlan defaults() {
    return withBits(8, 8);
  }

  /** Default schemes at these bit widths, and no ranges. */
  public static QuantPlan withBits(int weightBits, int activationBits) {
    return new QuantPlan(QuantScheme.activations(activationBits), QuantScheme.weights(weightBits, 0), Map.of(),
        Map.of());
  }

  /** This plan with a range for one more activation value. */
  public QuantPlan withRange(String value, Range range) {
    var m = new TreeMap<>(activations);
    m.put(value, range);
    return new QuantPlan(defaultActivation, defaultWeight, m, weights, weightRanges, weightCodes, floatLayers);
  }

  /** This plan with its own scheme for one weight constant. */
  public QuantPlan withWeightScheme(String constant, QuantScheme scheme) {
    var m = new TreeMap<>(weights);
    m.put(constant, scheme);
    return new QuantPlan(defaultActivation, defaultWeight, activations, m, weightRanges, weightCodes, floatLayers);
  }

  /** This plan with a fixed range for one weight constant (one entry per channel of its scheme, or one). */
  public QuantPlan withWeightRange(String constant, ValueRange range) {
    var m = new TreeMap<>(weightRanges);
    m.put(constant, range);
    return new QuantPlan(defaultActivation, defaultWeight, activations, weights, m, weightCodes, floatLayers);
  }

  /** The fixed range of a weight constant, or null (then its own min/max is used). */
  public ValueRange weightRange(String constant) {
    return weightRanges.get(constant);
  }

  /** This plan with chosen codes (a quantized tensor of the constant's shape) for one weight constant. */
  public QuantPlan withWeightCodes(String constant, Tensor codes) {
    var m = new TreeMap<>(weightCodes);
    m.put(constant, codes);
    return new QuantPlan(defaultActivation, defaultWeight, activations, weights, weightRanges, m, floatLayers);
  }

  /** The codes chosen for a weight constant, or null. */
  public Tensor weightCodes(String constant) {
    return weightCodes.get(constant);
  }

  /** This plan with the op producing {@code value} left in float. */
  public QuantPlan withFloatLayer(String value) {
    var s = new TreeSet<>(floatLayers);
    s.add(value);
    return new QuantPlan(defaultActivation, defaultWeight, activations, weights, weightRanges, weightCodes, s);
  }

  /** This plan with other default schemes (everything else kept). */
  public QuantPlan withDefaults(QuantScheme activation, QuantScheme weight) {
    return new QuantPlan(activation, weight, activations, weights, weightRanges, weightCodes, floatLayers);
  }

  /** True if the op producing {@code value} stays in float. */
  public boolean keepsFloat(String value) {
    return floatLayers.contains(value);
  }

  /**
   * This plan with its own scheme for one activation value (e.g. {@link QuantScheme#fp16()}), keeping its range,
   * or with the range [0, 0] when it has none (fp16 needs no range).
   */
  public QuantPlan withActivationScheme(String value, QuantScheme scheme) {
    Range r = activations.get(value);
    return withRange(value, r == null ? new Range(0, 0, scheme) : new Range(r.min(), r.max(), scheme));
  }

  /** The range of an activation value, or null. */
  public Range range(String value) {
    return activations.get(value);
  }

  /** The scheme of an activation value (its own or the default). */
  public QuantScheme activationScheme(String value) {
    Range r = activations.get(value);
    return r != null && r.scheme() != null ? r.scheme() : defaultActivation;
  }

  /** The scheme of a weight constant (its own or the default). */
  public QuantScheme weightScheme(String constant) {
    return weights.getOrDefault(constant, defaultWeight);
  }

  /** Per-tensor parameters of an activation value that has a range and an affine scheme, or null. */
  public QuantParams activationParams(String value) {
    Range r = activations.get(value);
    if (r == null) {
      return null;
    }
    QuantScheme s = activationScheme(value);
    if (s.kind() != QuantScheme.Kind.AFFINE) {
      return null;
    }
    return s.params(new double[] {r.min()}, new double[] {r.max()});
  }
}
