package dev.cimc.frontend.onnx;

import dev.cimc.ir.diag.Location;

/**
 * An input that ONNX passes as a tensor but cimc needs as an attribute (a shape, axes, pads, scales, ...) is
 * not constant at import time. {@link #valueName()} names the ONNX value, so that a caller who knows the
 * value of a graph input can pass it with {@link ImportOptions#withConstantInput} and import again.
 */
public final class NonConstantInputException extends OnnxUnsupportedException {
  private static final long serialVersionUID = 1L;
  private final String valueName;

  public NonConstantInputException(Location location, String valueName, String message, String hint) {
    super(location, message, hint);
    this.valueName = valueName;
  }

  /** The ONNX name of the value that is not constant. */
  public String valueName() {
    return valueName;
  }
}
