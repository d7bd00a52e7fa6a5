package dev.cimc.ir.dialect.graph;

/** The scalar functions of the broadcasting binary ops, with ONNX (numpy) semantics on doubles. */
enum Arith {
  ADD,
  SUB,
  MUL,
  DIV,
  POW,
  /** Smaller operand; NaN if either is NaN (numpy {@code minimum}). */
  MIN,
  /** Larger operand; NaN if either is NaN (numpy {@code maximum}). */
  MAX,
  /** {@code a < 0 ? a * b : a}: PRelu with the slope as second operand. */
  PRELU;

  double apply(double a, double b) {
    return switch (this) {
      case ADD -> a + b;
      case SUB -> a - b;
      case MUL -> a * b;
      case DIV -> a / b;
      case POW -> Math.pow(a, b);
      case MIN -> Math.min(a, b);
      case MAX -> Math.max(a, b);
      case PRELU -> a < 0 ? a * b : a;
    };
  }
}
