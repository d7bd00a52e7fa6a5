package dev.cimc.ir.op;

/** Properties of an op that passes may rely on. */
public enum Trait {
  /** No side effects: may be folded, moved, deduplicated or removed when unused. */
  PURE,
  /** Operands may be swapped. */
  COMMUTATIVE,
  /** Applies per element, with numpy broadcasting of operands. */
  ELEMENTWISE,
  /** Applying twice equals applying once: f(f(x)) = f(x). */
  IDEMPOTENT,
  /** Applying twice is the identity: f(f(x)) = x. */
  INVOLUTION,
  /** Produces a constant and reads nothing. */
  CONSTANT_LIKE
}
