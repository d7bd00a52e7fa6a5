package dev.cimc.ir.quant.config;

import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.type.QuantParams;

/**
 * Weight quantization settings of a rule; every field is optional (null keeps what the plan's default
 * weight scheme says).
 *
 * @param bits 2 to 8
 * @param symmetric zero point fixed at 0 (the {@code quantize} pass takes symmetric weights only)
 * @param perChannel one scale per output channel (the pass picks the op's output-channel axis) or per tensor
 * @param powerOfTwo scales rounded up to powers of two
 * @param kind affine, log2 or fp16 (only affine is implemented by the {@code quantize} pass so far)
 */
public record WeightSpec(Integer bits, Boolean symmetric, Boolean perChannel, Boolean powerOfTwo,
    QuantScheme.Kind kind) {
  /** Nothing set. */
  public static final WeightSpec NONE = new WeightSpec(null, null, null, null, null);

  public WeightSpec {
    if (bits != null && kind != QuantScheme.Kind.FP16 && (bits < 2 || bits > 8)) {
      throw new IllegalArgumentException("weights take 2 to 8 bits, got " + bits);
    }
  }

  /** Only the bit width set. */
  public static WeightSpec bits(int bits) {
    return new WeightSpec(bits, null, null, null, null);
  }

  public boolean isEmpty() {
    return bits == null && symmetric == null && perChannel == null && powerOfTwo == null && kind == null;
  }

  /** {@code base} with the fields this spec sets replaced. */
  public QuantScheme over(QuantScheme base) {
    QuantScheme.Kind k = kind != null ? kind : base.kind();
    int b = k == QuantScheme.Kind.FP16 ? 16 : bits != null ? bits : base.kind() == QuantScheme.Kind.FP16 ? 8 : base.bits();
    boolean sym = symmetric != null ? symmetric : base.symmetric();
    int axis = perChannel == null ? base.axis() : perChannel ? Math.max(0, base.axis()) : QuantParams.PER_TENSOR;
    boolean pow2 = powerOfTwo != null ? powerOfTwo : base.powerOfTwoScale();
    return new QuantScheme(k, b, base.signed(), sym, axis, pow2);
  }

  /** This spec with the fields {@code other} sets taken from {@code other}. */
  public WeightSpec overriddenBy(WeightSpec other) {
    return new WeightSpec(other.bits != null ? other.bits : bits, other.symmetric != null ? other.symmetric : symmetric,
        other.perChannel != null ? other.perChannel : perChannel,
        other.powerOfTwo != null ? other.powerOfTwo : powerOfTwo, other.kind != null ? other.kind : kind);
  }
}
