package dev.cimc.frontend.dsl;

/** A layer that cannot be lowered with the arguments and input shapes it got; reported at the call. */
final class LayerFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String hint;

  LayerFailure(String message, String hint) {
    super(message, null, false, false);
    this.hint = hint;
  }

  String hint() {
    return hint;
  }
}
