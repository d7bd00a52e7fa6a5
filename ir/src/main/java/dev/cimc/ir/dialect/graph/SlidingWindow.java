package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.type.Shape;
import java.util.Arrays;

/**
 * Where a window (convolution kernel, pooling window) sits over the spatial dimensions of an input,
 * following the ONNX rules for {@code strides}, {@code dilations}, {@code pads}, {@code auto_pad} and
 * {@code ceil_mode}. Output position {@code o} along dimension {@code i} reads input positions
 * {@code o*strides[i] - padsBegin[i] + t*dilations[i]} for {@code t} in {@code [0, kernel[i])}.
 *
 * <p>Arrays are owned by the instance and never modified; a dynamic input extent gives a dynamic output
 * extent (and unknown pads).
 */
public record SlidingWindow(int[] input, int[] kernel, int[] strides, int[] dilations, int[] padsBegin, int[] padsEnd,
    int[] output) {

  /** The values {@code auto_pad} accepts. */
  static final String AUTO_PAD_VALUES = "NOTSET, SAME_UPPER, SAME_LOWER, VALID";

  int rank() {
    return input.length;
  }

  /** The extent of the dilated kernel along dimension {@code i}. */
  int extent(int i) {
    return (kernel[i] - 1) * dilations[i] + 1;
  }

  /**
   * Resolves the window of an op.
   *
   * @param input spatial input extents (may be {@link Shape#DYNAMIC})
   * @param kernel spatial kernel extents
   * @param strides one per spatial dimension, or null for all ones
   * @param dilations one per spatial dimension, or null for all ones
   * @param pads begin values then end values, or null for zeros
   * @param autoPad NOTSET, SAME_UPPER, SAME_LOWER or VALID
   * @param ceilMode round the output extent up (pools; only with explicit padding)
   */
  public static SlidingWindow resolve(int[] input, int[] kernel, long[] strides, long[] dilations, long[] pads,
      String autoPad, boolean ceilMode) {
    int r = input.length;
    int[] s = checked("strides", strides, r, 1, 1);
    int[] d = checked("dilations", dilations, r, 1, 1);
    int[] p = checked("pads", pads, 2 * r, 0, 0);
    for (int i = 0; i < r; i++) {
      if (kernel[i] < 1) {
        throw new InferenceException("kernel extents must be ≥ 1, got " + Arrays.toString(kernel));
      }
    }
    checkAutoPad(autoPad);
    if (!autoPad.equals("NOTSET") && pads != null && Arrays.stream(p).anyMatch(v -> v != 0)) {
      throw new InferenceException("pads " + Arrays.toString(pads) + " cannot be combined with auto_pad = "
          + autoPad);
    }
    int[] pb = Arrays.copyOf(p, r);
    int[] pe = Arrays.copyOfRange(p, r, 2 * r);
    int[] out = new int[r];
    boolean fits = true;
    for (int i = 0; i < r; i++) {
      long dilated = (long) (kernel[i] - 1) * d[i] + 1;
      if (dilated > Integer.MAX_VALUE) {
        throw new InferenceException("the dilated kernel extent " + dilated + " (kernel " + Arrays.toString(kernel)
            + ", dilations " + Arrays.toString(d) + ") is too large");
      }
      int eff = (int) dilated;
      int in = input[i];
      if (in == Shape.DYNAMIC) {
        out[i] = Shape.DYNAMIC;
        continue;
      }
      switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[i] = ceilDiv(in, s[i]);
          int total = Math.max(0, (out[i] - 1) * s[i] + eff - in);
          pb[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
          pe[i] = total - pb[i];
        }
        case "VALID" -> {
          fits &= in >= eff;
          out[i] = in >= eff ? (in - eff) / s[i] + 1 : 0;
        }
        default -> {
          long span = (long) in + pb[i] + pe[i] - eff;
          fits &= span >= 0;
          if (span < 0) {
            out[i] = 0;
          } else if (ceilMode) {
            long o = (span + s[i] - 1) / s[i] + 1;
            // The last window must start inside the input or its leading padding.
            if ((o - 1) * s[i] >= (long) in + pb[i]) {
              o--;
            }
            out[i] = extent(o);
          } else {
            out[i] = extent(span / s[i] + 1);
          }
        }
      }
    }
    if (!fits) {
      int[] eff = new int[r];
      int[] padded = new int[r];
      for (int i = 0; i < r; i++) {
        eff[i] = (kernel[i] - 1) * d[i] + 1;
        padded[i] = input[i] + pb[i] + pe[i];
      }
      throw new InferenceException("the dilated kernel spans " + dims(eff) + " but the padded input is only "
          + dims(padded));
    }
    return new SlidingWindow(input.clone(), kernel.clone(), s, d, pb, pe, out);
  }

  /** An output extent, which padding can push beyond what a dimension holds. */
  private static int extent(long o) {
    if (o > Integer.MAX_VALUE) {
      throw new InferenceException("the output extent " + o + " is too large for a dimension");
    }
    return (int) o;
  }

  static void checkAutoPad(String autoPad) {
    switch (autoPad) {
      case "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID" -> { }
      default -> throw new InferenceException("auto_pad must be one of " + AUTO_PAD_VALUES + ", got \""
          + autoPad + "\"");
    }
  }

  /** An attribute list of {@code n} values, each at least {@code min}; null means all {@code fill}. */
  static int[] checked(String name, long[] values, int n, int min, int fill) {
    int[] r = new int[n];
    if (values == null) {
      Arrays.fill(r, fill);
      return r;
    }
    if (values.length != n) {
      throw new InferenceException(name + " needs " + n + " value" + (n == 1 ? "" : "s") + ", got "
          + Arrays.toString(values));
    }
    for (int i = 0; i < n; i++) {
      if (values[i] < min || values[i] > Integer.MAX_VALUE) {
        throw new InferenceException(name + " must be ≥ " + min + ", got " + Arrays.toString(values));
      }
      r[i] = (int) values[i];
    }
    return r;
  }

  /** "3x3", the way shapes print. */
  static String dims(int[] v) {
    var sb = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      sb.append(i == 0 ? "" : "x").append(v[i] == Shape.DYNAMIC ? "?" : String.valueOf(v[i]));
    }
    return sb.toString();
  }

  static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }
}
