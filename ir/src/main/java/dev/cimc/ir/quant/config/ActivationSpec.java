package dev.cimc.ir.quant.config;

import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.observe.RangeMethod;

/**
 * Settings for the activation a layer produces (its result; the layers reading it take it in this
 * scheme); every field is optional (null keeps the plan's default activation scheme and the calibration's
 * range method).
 *
 * @param bits 2 to 8
 * @param symmetric zero point fixed at 0; symmetric activations use signed codes
 * @param powerOfTwo scales rounded up to powers of two
 * @param range how calibration sets the range of this value
 */
public record ActivationSpec(Integer bits, Boolean symmetric, Boolean powerOfTwo, RangeMethod range) {
  /** Nothing set. */
  public static final ActivationSpec NONE = new ActivationSpec(null, null, null, null);

  public ActivationSpec {
    if (bits != null && (bits < 2 || bits > 8)) {
      throw new IllegalArgumentException("activations take 2 to 8 bits, got " + bits);
    }
  }

  /** Only the bit width set. */
  public static ActivationSpec bits(int bits) {
    return new ActivationSpec(bits, null, null, null);
  }

  public boolean isEmpty() {
    return bits == null && symmetric == null && powerOfTwo == null && range == null;
  }

  /** True if the spec changes the scheme (not only the range method). */
  public boolean setsScheme() {
    return bits != null || symmetric != null || powerOfTwo != null;
  }

  /** {@code base} with the fields this spec sets replaced. */
  public QuantScheme over(QuantScheme base) {
    boolean sym = symmetric != null ? symmetric : base.symmetric();
    boolean signed = symmetric != null ? symmetric : base.signed();
    return new QuantScheme(QuantScheme.Kind.AFFINE, bits != null ? bits : base.bits(), signed, sym, base.axis(),
        powerOfTwo != null ? powerOfTwo : base.powerOfTwoScale());
  }

  /** This spec with the fields {@code other} sets taken from {@code other}. */
  public ActivationSpec overriddenBy(ActivationSpec other) {
    return new ActivationSpec(other.bits != null ? other.bits : bits,
        other.symmetric != null ? other.symmetric : symmetric,
        other.powerOfTwo != null ? other.powerOfTwo : powerOfTwo, other.range != null ? other.range : range);
  }
}
