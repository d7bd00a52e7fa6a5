package dev.cimc.ir.quant.calibrate;

import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.type.QuantParams;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What calibration found: the range of every observed value (graph inputs and node results, in graph
 * order), the method that set it, the number of samples, and warnings for the user.
 *
 * @param ranges value name → range
 * @param methods value name → range method
 * @param samples samples run
 * @param warnings messages for the user (e.g. random data)
 */
public record CalibrationResult(Map<String, ValueRange> ranges, Map<String, RangeMethod> methods, int samples,
    List<String> warnings) {
  public CalibrationResult {
    ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    methods = Collections.unmodifiableMap(new LinkedHashMap<>(methods));
    warnings = List.copyOf(warnings);
  }

  /** The range of a value, or null if it was not observed. */
  public ValueRange range(String value) {
    return ranges.get(value);
  }

  /**
   * {@code base} plus a range for every per-tensor range found (the {@code quantize} pass quantizes
   * activations per tensor; per-channel ranges are left out). Values keep the plan's default scheme.
   */
  public QuantPlan toPlan(QuantPlan base) {
    QuantPlan plan = base;
    for (var e : ranges.entrySet()) {
      ValueRange r = e.getValue();
      if (r.channels() == 1 && Double.isFinite(r.min(0)) && Double.isFinite(r.max(0))) {
        plan = plan.withRange(e.getKey(), new QuantPlan.Range(r.min(0), r.max(0)));
      }
    }
    return plan;
  }

  /** The parameters of {@code scheme} covering the value's range. */
  public QuantParams params(String value, QuantScheme scheme) {
    ValueRange r = ranges.get(value);
    if (r == null) {
      throw new IllegalArgumentException("value %" + value + " was not calibrated");
    }
    return r.params(scheme);
  }
}
