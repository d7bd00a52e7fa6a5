package dev.cimc.ir.type;

import java.util.Arrays;

/**
 * Uniform affine quantization parameters of a tensor type: {@code x ≈ scale · (q − zeroPoint)}.
 * Per tensor when {@code axis} is {@link #PER_TENSOR} (one scale and zero point), per channel along
 * {@code axis} otherwise (one pair per channel). Bit width and signedness come from the element type.
 */
public final class QuantParams {
  public static final int PER_TENSOR = -1;

  private final int axis;
  private final double[] scales;
  private final long[] zeroPoints;

  private QuantParams(int axis, double[] scales, long[] zeroPoints) {
    if (scales.length == 0 || scales.length != zeroPoints.length) {
      throw new IllegalArgumentException(
          "need as many zero points as scales (≥ 1), got " + scales.length + " and " + zeroPoints.length);
    }
    if (axis == PER_TENSOR && scales.length != 1) {
      throw new IllegalArgumentException("per-tensor quantization takes one scale, got " + scales.length);
    }
    if (axis < PER_TENSOR) {
      throw new IllegalArgumentException("bad quantization axis " + axis);
    }
    for (double s : scales) {
      if (!(s > 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("quantization scale must be positive and finite, got " + s);
      }
    }
    this.axis = axis;
    this.scales = scales;
    this.zeroPoints = zeroPoints;
  }

  public static QuantParams perTensor(double scale, long zeroPoint) {
    return new QuantParams(PER_TENSOR, new double[] {scale}, new long[] {zeroPoint});
  }

  public static QuantParams perAxis(int axis, double[] scales, long[] zeroPoints) {
    if (axis < 0) {
      throw new IllegalArgumentException("per-axis quantization needs an axis ≥ 0, got " + axis);
    }
    return new QuantParams(axis, scales.clone(), zeroPoints.clone());
  }

  public boolean isPerTensor() {
    return axis == PER_TENSOR;
  }

  /** The channel axis, or {@link #PER_TENSOR}. */
  public int axis() {
    return axis;
  }

  public int channels() {
    return scales.length;
  }

  public double scale(int channel) {
    return scales[channel];
  }

  public long zeroPoint(int channel) {
    return zeroPoints[channel];
  }

  public double[] scales() {
    return scales.clone();
  }

  public long[] zeroPoints() {
    return zeroPoints.clone();
  }

  /** True when every zero point is 0. */
  public boolean isSymmetric() {
    for (long z : zeroPoints) {
      if (z != 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantParams q
        && axis == q.axis
        && Arrays.equals(scales, q.scales)
        && Arrays.equals(zeroPoints, q.zeroPoints);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * axis + Arrays.hashCode(scales)) + Arrays.hashCode(zeroPoints);
  }

  @Override
  public String toString() {
    return "QuantParams[axis=" + axis + ", scales=" + Arrays.toString(scales) + ", zps="
        + Arrays.toString(zeroPoints) + "]";
  }
}
