package dev.cimc.frontend.dsl;

/** What a layer's constant is for, which decides how it is initialized when no weight file provides it. */
enum WeightRole {
  /** A weight matrix or kernel: filled by the model's initializer. */
  WEIGHT,
  /** A bias: zeros. */
  BIAS,
  /** A normalization's scale (gamma): ones. */
  SCALE,
  /** A normalization's shift (beta): zeros. */
  SHIFT,
  /** Batch-norm running mean: zeros. */
  RUNNING_MEAN,
  /** Batch-norm running variance: ones. */
  RUNNING_VAR;

  /** The constant value of roles that do not use the initializer, else NaN. */
  float fixedValue() {
    switch (this) {
      case SCALE:
      case RUNNING_VAR:
        return 1f;
      case BIAS:
      case SHIFT:
      case RUNNING_MEAN:
        return 0f;
      default:
        return Float.NaN;
    }
  }
}
