package dev.cimc.ir.quant;

import dev.cimc.ir.type.QuantParams;
import java.util.Arrays;

/**
 * The range a value takes, per channel (one entry per channel along the observer's axis) or per tensor
 * (one entry): what observers produce and {@link QuantScheme#params} turns into quantization parameters.
 * Immutable: the arrays are copied in and out.
 */
public final class ValueRange {
  private final double[] min;
  private final double[] max;

  private ValueRange(double[] min, double[] max) {
    if (min.length == 0 || min.length != max.length) {
      throw new IllegalArgumentException("need as many minima as maxima (≥ 1), got " + min.length + " and " + max.length);
    }
    for (int c = 0; c < min.length; c++) {
      if (!(min[c] <= max[c])) {
        throw new IllegalArgumentException("channel " + c + ": min " + min[c] + " exceeds max " + max[c]);
      }
    }
    this.min = min;
    this.max = max;
  }

  /** One range for the whole tensor. */
  public static ValueRange perTensor(double min, double max) {
    return new ValueRange(new double[] {min}, new double[] {max});
  }

  /** One range per channel. */
  public static ValueRange perChannel(double[] min, double[] max) {
    return new ValueRange(min.clone(), max.clone());
  }

  public int channels() {
    return min.length;
  }

  public double min(int channel) {
    return min[channel];
  }

  public double max(int channel) {
    return max[channel];
  }

  public double[] min() {
    return min.clone();
  }

  public double[] max() {
    return max.clone();
  }

  /** The parameters of {@code scheme} that cover this range. */
  public QuantParams params(QuantScheme scheme) {
    return scheme.params(min, max);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValueRange r && Arrays.equals(min, r.min) && Arrays.equals(max, r.max);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(min) + Arrays.hashCode(max);
  }

  @Override
  public String toString() {
    return min.length == 1 ? "[" + min[0] + ", " + max[0] + "]"
        : "per-channel min=" + Arrays.toString(min) + " max=" + Arrays.toString(max);
  }
}
