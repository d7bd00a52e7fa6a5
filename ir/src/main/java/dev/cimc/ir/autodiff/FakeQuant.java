package dev.cimc.ir.autodiff;

import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;

/**
 * A quantize-dequantize step with its own (learnable) scales: {@code y = s·(clamp(rint(x/s) + z, qmin, qmax) − z)},
 * per tensor or per channel along {@code axis}. With {@code powerOfTwo} the forward uses
 * {@code 2^round(log2 s)} (the gradient passes straight through the rounding). Immutable: arrays are copied.
 *
 * @param scales one scale per channel (one per tensor)
 * @param zeroPoints one zero point per channel
 * @param qmin smallest code
 * @param qmax largest code
 * @param axis channel axis or {@link QuantParams#PER_TENSOR}
 * @param powerOfTwo round scales to powers of two in the forward
 */
public record FakeQuant(double[] scales, long[] zeroPoints, long qmin, long qmax, int axis, boolean powerOfTwo) {
  public FakeQuant {
    scales = scales.clone();
    zeroPoints = zeroPoints.clone();
    if (scales.length == 0 || scales.length != zeroPoints.length) {
      throw new IllegalArgumentException("need as many scales as zero points (≥ 1)");
    }
    if (qmin >= qmax) {
      throw new IllegalArgumentException("need qmin < qmax, got " + qmin + ", " + qmax);
    }
  }

  /** The quantizer of a quantized tensor type, clamping to its element type's range (as q.quantize does). */
  public static FakeQuant of(TensorType quantized) {
    QuantParams qp = quantized.quant();
    if (qp == null) {
      throw new IllegalArgumentException("not a quantized type: " + quantized);
    }
    return of(qp, quantized.elementType().minValue(), quantized.elementType().maxValue(), false);
  }

  /** The quantizer of {@code params} clamping to {@code [qmin, qmax]}. */
  public static FakeQuant of(QuantParams params, long qmin, long qmax, boolean powerOfTwo) {
    return new FakeQuant(params.scales(), params.zeroPoints(), qmin, qmax, params.axis(), powerOfTwo);
  }

  public int channels() {
    return scales.length;
  }

  @Override
  public double[] scales() {
    return scales.clone();
  }

  @Override
  public long[] zeroPoints() {
    return zeroPoints.clone();
  }

  /** The zero point of {@code channel}. */
  public long zeroPoint(int channel) {
    return zeroPoints[channel];
  }

  /** The same quantizer with other scales. */
  public FakeQuant withScales(double[] s) {
    return new FakeQuant(s, zeroPoints, qmin, qmax, axis, powerOfTwo);
  }

  /** The scale the forward uses for {@code channel} (rounded to a power of two if asked). */
  public double effectiveScale(int channel) {
    double s = scales[channel];
    return powerOfTwo ? Math.pow(2, Math.rint(Math.log(s) / Math.log(2))) : s;
  }

  /** Elements between two consecutive channel indices for a tensor of {@code dims} (1 per tensor). */
  public int inner(int[] dims) {
    if (axis == QuantParams.PER_TENSOR) {
      return 1;
    }
    int inner = 1;
    for (int d = axis + 1; d < dims.length; d++) {
      inner *= dims[d];
    }
    return inner;
  }

  /** Quantizes and dequantizes {@code x} (of {@code dims}) into a new array. */
  public float[] apply(float[] x, int[] dims) {
    int inner = inner(dims);
    int ch = channels();
    double[] s = new double[ch];
    for (int c = 0; c < ch; c++) {
      s[c] = effectiveScale(c);
    }
    float[] y = new float[x.length];
    int block = ch == 1 ? x.length : inner;
    for (int base = 0, k = 0; base < x.length; base += block, k++) {
      int c = ch == 1 ? 0 : k % ch;
      double sc = s[c];
      long z = zeroPoints[c];
      for (int i = base, e = Math.min(x.length, base + block); i < e; i++) {
        double v = Math.rint(x[i] / sc) + z;
        double q = Double.isNaN(v) ? z : Math.max(qmin, Math.min(qmax, v));
        y[i] = (float) (sc * (q - z));
      }
    }
    return y;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FakeQuant f && Arrays.equals(scales, f.scales) && Arrays.equals(zeroPoints, f.zeroPoints)
        && qmin == f.qmin && qmax == f.qmax && axis == f.axis && powerOfTwo == f.powerOfTwo;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scales) * 31 + Arrays.hashCode(zeroPoints);
  }

  @Override
  public String toString() {
    return "FakeQuant[scales=" + Arrays.toString(scales) + ", zeroPoints=" + Arrays.toString(zeroPoints) + ", q=["
        + qmin + ", " + qmax + "], axis=" + axis + (powerOfTwo ? ", pow2" : "") + "]";
  }
}
