package dev.cimc.frontend.onnx;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;

/**
 * A valid ONNX model that uses something cimc does not implement: an op, an element type, an attribute
 * value or an output. Distinct from a malformed model (a plain {@link CimcException}) so that callers such
 * as the conformance suite can tell "not supported" from "broken".
 */
public class OnnxUnsupportedException extends CimcException {
  private static final long serialVersionUID = 1L;

  public OnnxUnsupportedException(Location location, String message, String hint) {
    super(location, message, hint);
  }
}
