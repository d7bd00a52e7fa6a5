package dev.cimc.ir.quant.config;

import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A {@link QuantConfig} resolved against one graph: the settings of each weight constant and activation
 * value by name, the layers left in float, and the warnings. {@link #calibration} adapts calibration
 * settings (range methods, and the schemes MSE/KL search for), {@link #applyTo} turns a calibrated plan
 * into the mixed-precision plan the {@code quantize} pass reads.
 *
 * @param weight default weight settings (over the plan's default weight scheme)
 * @param activation default activation settings (over the plan's default activation scheme)
 * @param weights settings per weight constant name
 * @param activations settings per activation value name (the results of selected layers)
 * @param floatLayers result names of layers left in float
 * @param layers for each selected layer (by its first result name), the index of the rule that selected it
 * @param warnings rules without effect, unimplemented schemes
 */
public record PrecisionAssignment(WeightSpec weight, ActivationSpec activation, Map<String, WeightSpec> weights,
    Map<String, ActivationSpec> activations, Set<String> floatLayers, Map<String, Integer> layers,
    List<ConfigWarning> warnings) {
  public PrecisionAssignment {
    weights = Collections.unmodifiableMap(new TreeMap<>(weights));
    activations = Collections.unmodifiableMap(new TreeMap<>(activations));
    floatLayers = Collections.unmodifiableSet(new TreeSet<>(floatLayers));
    layers = Collections.unmodifiableMap(new TreeMap<>(layers));
    warnings = List.copyOf(warnings);
  }

  /** The range method calibration uses for every activation without its own, or null for the caller's. */
  public RangeMethod defaultRange() {
    return activation.range();
  }

  /**
   * {@code base} with the default range method replaced (if the config sets one) and an observer and scheme
   * for every value whose layer rule sets a range method or an activation scheme.
   */
  public Calibrator.Settings calibration(Calibrator.Settings base) {
    Calibrator.Settings s = base;
    if (activation.range() != null) {
      s = s.withObservers(withMethod(base.observers(), activation.range()));
    }
    QuantScheme defaultScheme = activation.over(base.scheme());
    var perValue = new TreeMap<>(base.perValue());
    for (var e : activations.entrySet()) {
      ActivationSpec a = e.getValue();
      ObserverSpec spec = a.range() != null ? withMethod(s.observers(), a.range()) : null;
      QuantScheme scheme = a.setsScheme() ? a.over(defaultScheme) : null;
      if (spec != null || scheme != null) {
        perValue.put(e.getKey(), new Calibrator.ValueSettings(spec, scheme));
      }
    }
    return new Calibrator.Settings(s.observers(), defaultScheme, s.classifier(), s.threads(), perValue);
  }

  private static ObserverSpec withMethod(ObserverSpec base, RangeMethod m) {
    return new ObserverSpec(m, base.percentile(), base.momentum(), base.bins(), base.steps(), base.reservoirRows(),
        base.seed());
  }

  /**
   * {@code plan} (typically calibrated) with the default schemes overridden by the config's defaults, a
   * scheme for every selected weight constant, a scheme for every selected activation that has a range and
   * whose scheme differs from the default, and the float layers.
   */
  public QuantPlan applyTo(QuantPlan plan) {
    QuantScheme da = activation.over(plan.defaultActivation());
    QuantScheme dw = weight.over(plan.defaultWeight());
    QuantPlan p = plan.withDefaults(da, dw);
    for (var e : weights.entrySet()) {
      QuantScheme s = e.getValue().over(dw);
      if (!s.equals(dw)) {
        p = p.withWeightScheme(e.getKey(), s);
      }
    }
    for (var e : activations.entrySet()) {
      QuantPlan.Range r = p.range(e.getKey());
      if (r == null || !e.getValue().setsScheme()) {
        continue;
      }
      QuantScheme s = e.getValue().over(r.scheme() != null ? r.scheme() : da);
      if (!s.equals(da) || r.scheme() != null) {
        p = p.withRange(e.getKey(), new QuantPlan.Range(r.min(), r.max(), s));
      }
    }
    for (String f : floatLayers) {
      p = p.withFloatLayer(f);
    }
    return p;
  }
}
