package dev.cimc.ir.autodiff;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of a backward pass: dLoss/dValue for each requested constant or graph input (by name; a value
 * the loss does not depend on has zeros), and dLoss/dScale per channel of each learnable quantizer.
 *
 * @param values gradient per value name, row-major like the value
 * @param scales gradient per quantizer (q.quantize result name), one entry per channel
 */
public record Gradients(Map<String, float[]> values, Map<String, double[]> scales) {
  public Gradients {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    scales = Collections.unmodifiableMap(new LinkedHashMap<>(scales));
  }

  public float[] value(String name) {
    return values.get(name);
  }

  public double[] scale(String quantizer) {
    return scales.get(quantizer);
  }
}
