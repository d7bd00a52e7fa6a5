package dev.cimc.ir.quant;

import dev.cimc.ir.type.QuantParams;

/**
 * Uniform affine rounding as the {@code q} dialect does it ({@code q = clamp(round_half_even(x / s) + z)}),
 * for range search and PTQ: codes and their dequantized values, on doubles.
 */
public final class FakeQuantizer {
  private final double[] scales;
  private final long[] zeroPoints;
  private final long qmin;
  private final long qmax;

  private FakeQuantizer(double[] scales, long[] zeroPoints, long qmin, long qmax) {
    this.scales = scales;
    this.zeroPoints = zeroPoints;
    this.qmin = qmin;
    this.qmax = qmax;
  }

  /** The quantizer of {@code scheme} with parameters {@code params} (one entry per channel, or one). */
  public static FakeQuantizer of(QuantScheme scheme, QuantParams params) {
    if (scheme.kind() != QuantScheme.Kind.AFFINE) {
      throw new IllegalArgumentException("fake quantization is defined for affine schemes, got " + scheme.kind());
    }
    return new FakeQuantizer(params.scales(), params.zeroPoints(), scheme.qmin(), scheme.qmax());
  }

  /** The quantizer of {@code scheme} for the parameters covering {@code range}. */
  public static FakeQuantizer of(QuantScheme scheme, ValueRange range) {
    return of(scheme, range.params(scheme));
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

  public long qmin() {
    return qmin;
  }

  public long qmax() {
    return qmax;
  }

  /** The integer code of {@code x} in {@code channel}. */
  public long code(double x, int channel) {
    return code(x, scales[channel], zeroPoints[channel], qmin, qmax);
  }

  /** {@code x} quantized and dequantized in {@code channel}. */
  public double apply(double x, int channel) {
    return scales[channel] * (code(x, channel) - zeroPoints[channel]);
  }

  /** The code of {@code x} for explicit parameters (NaN maps to the zero point, as the q dialect does). */
  public static long code(double x, double scale, long zp, long qmin, long qmax) {
    double v = Math.rint(x / scale) + zp;
    if (Double.isNaN(v)) {
      return zp;
    }
    return (long) Math.max(qmin, Math.min(qmax, v));
  }

  /** {@code x} quantized and dequantized for explicit parameters. */
  public static double apply(double x, double scale, long zp, long qmin, long qmax) {
    return scale * (code(x, scale, zp, qmin, qmax) - zp);
  }
}
