package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.InferContext;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.type.TensorType;

/** Operand and axis checks shared by the type inference of the graph dialect's ops. */
final class TypeChecks {
  private TypeChecks() {}

  /** Requires operand {@code i} to be a plain (not quantized) float or integer tensor. */
  static TensorType numeric(InferContext ctx, int i) {
    TensorType t = ctx.operand(i);
    if (t.isQuantized()) {
      throw new InferenceException("operand " + i + " is quantized (" + t + "); graph ops take plain tensors");
    }
    if (!t.elementType().isFloat() && !t.elementType().isInteger()) {
      throw new InferenceException("operand " + i + " must be a float or integer tensor, got " + t);
    }
    return t;
  }

  /** Requires operand {@code i} to be a float or plain signed integer tensor. */
  static TensorType signed(InferContext ctx, int i) {
    TensorType t = numeric(ctx, i);
    if (!t.elementType().isSigned()) {
      throw new InferenceException("operand " + i + " must be a float or signed integer tensor, got " + t);
    }
    return t;
  }

  /**
   * An axis in [-rank, rank) made non-negative; {@code what} names it in the message ("axis", "axes
   * entry").
   */
  static int axis(long axis, TensorType t, String what) {
    int r = t.rank();
    if (axis < -r || axis >= r) {
      throw new InferenceException(what + " " + axis + " is out of range for " + t + " (rank " + r + ")");
    }
    return (int) (axis < 0 ? axis + r : axis);
  }
}
