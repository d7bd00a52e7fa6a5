package dev.cimc.ir.quant;

import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;

/**
 * How a tensor is quantized (DESIGN.md section 4).
 *
 * @param kind uniform affine, power-of-two exponent (log2) or half precision
 * @param bits 2 to 8 for weights and activations (32 is used for biases and accumulators)
 * @param signed signed integer codes (e.g. i8) or unsigned (u8)
 * @param symmetric zero point fixed at 0
 * @param axis {@link QuantParams#PER_TENSOR} or the channel axis for per-channel parameters
 * @param powerOfTwoScale scales rounded up to powers of two (shift-only hardware)
 */
public record QuantScheme(Kind kind, int bits, boolean signed, boolean symmetric, int axis, boolean powerOfTwoScale) {
  /** The number system of the codes. */
  public enum Kind {
    /** q = clamp(round(x / s) + z): the default. */
    AFFINE,
    /** q = sign · round(log2 |x / s|): non-uniform, multiplications become shifts. */
    LOG2,
    /** IEEE half precision, no integer codes. */
    FP16
  }

  public QuantScheme {
    if (kind == Kind.FP16) {
      if (bits != 16) {
        throw new IllegalArgumentException("fp16 has 16 bits, got " + bits);
      }
    } else if (!(bits >= 2 && bits <= 8) && bits != 16 && bits != 32) {
      throw new IllegalArgumentException("integer quantization takes 2 to 8 bits (16 or 32 for accumulators), got " + bits);
    }
    if (axis < QuantParams.PER_TENSOR) {
      throw new IllegalArgumentException("bad axis " + axis);
    }
  }

  /** Signed symmetric per-channel weights along {@code axis}: the default for crossbar weights. */
  public static QuantScheme weights(int bits, int axis) {
    return new QuantScheme(Kind.AFFINE, bits, true, true, axis, false);
  }

  /** Unsigned asymmetric per-tensor activations: the default for activations. */
  public static QuantScheme activations(int bits) {
    return new QuantScheme(Kind.AFFINE, bits, false, false, QuantParams.PER_TENSOR, false);
  }

  /**
   * Signed log2 weights of {@code bits} (3 to 5: a sign and the exponent), per channel along {@code axis} or per
   * tensor; see {@link Log2Codes} for the codes.
   */
  public static QuantScheme log2Weights(int bits, int axis) {
    Log2Codes.levels(bits);
    return new QuantScheme(Kind.LOG2, bits, true, true, axis, false);
  }

  /** IEEE half precision (weights or activations rounded to f16, to nearest even). */
  public static QuantScheme fp16() {
    return new QuantScheme(Kind.FP16, 16, true, false, QuantParams.PER_TENSOR, false);
  }

  public boolean perTensor() {
    return axis == QuantParams.PER_TENSOR;
  }

  /** The integer element type the codes are stored in, e.g. i8 for signed 8-bit, u4 for unsigned 4-bit. */
  public ElementType elementType() {
    if (kind == Kind.FP16) {
      return ElementType.F16;
    }
    return switch (bits) {
      case 2 -> signed ? ElementType.I2 : ElementType.U2;
      case 3, 4 -> signed ? ElementType.I4 : ElementType.U4;
      case 5, 6, 7, 8 -> signed ? ElementType.I8 : ElementType.U8;
      case 16 -> ElementType.I16;
      default -> ElementType.I32;
    };
  }

  /** Smallest code: −2^(b−1) signed (−2^(b−1)+1 when symmetric, so the range is balanced), 0 unsigned. */
  public long qmin() {
    if (!signed) {
      return 0;
    }
    long m = -(1L << (bits - 1));
    return symmetric ? m + 1 : m;
  }

  /** Largest code: 2^(b−1)−1 signed, 2^b−1 unsigned. */
  public long qmax() {
    return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
  }

  /**
   * Parameters that cover {@code [min, max]} per channel (a single entry per tensor): the range is widened to
   * contain 0, made symmetric when the scheme is, and the scale rounded up to a power of two if asked.
   */
  public QuantParams params(double[] min, double[] max) {
    if (min.length != max.length || min.length == 0) {
      throw new IllegalArgumentException("need as many minima as maxima (≥ 1)");
    }
    if (perTensor() && min.length != 1) {
      throw new IllegalArgumentException("a per-tensor scheme takes one range, got " + min.length);
    }
    int n = min.length;
    double[] scales = new double[n];
    long[] zps = new long[n];
    long qmin = qmin();
    long qmax = qmax();
    for (int c = 0; c < n; c++) {
      double lo = Math.min(0, min[c]);
      double hi = Math.max(0, max[c]);
      double s;
      long z;
      if (symmetric) {
        double a = Math.max(-lo, hi);
        // Unsigned symmetric (e.g. after relu) uses the full code range for [0, a].
        s = signed ? a / qmax : a / (qmax - qmin);
        z = signed ? 0 : qmin;
      } else {
        s = (hi - lo) / (qmax - qmin);
        z = s > 0 ? Math.round(qmin - lo / s) : 0;
      }
      if (!(s > 0) || Double.isInfinite(s)) {
        s = 1.0; // an all-zero range: any scale represents it exactly
        z = symmetric && signed ? 0 : (symmetric ? qmin : Math.max(qmin, Math.min(qmax, 0)));
      }
      if (powerOfTwoScale) {
        s = Math.pow(2, Math.ceil(Math.log(s) / Math.log(2)));
        if (!symmetric) {
          z = Math.round(qmin - lo / s);
        }
      }
      scales[c] = (float) s; // scales are stored as f32, as ONNX does
      zps[c] = Math.max(qmin, Math.min(qmax, z));
    }
    return perTensor() ? QuantParams.perTensor(scales[0], zps[0]) : QuantParams.perAxis(axis, scales, zps);
  }
}
