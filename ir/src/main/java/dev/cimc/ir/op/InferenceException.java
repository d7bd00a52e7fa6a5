package dev.cimc.ir.op;

/**
 * Thrown by shape/type inference and op verifiers when a node is malformed. The verifier and the
 * builders turn it into a diagnostic naming the node.
 */
public final class InferenceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InferenceException(String message) {
    super(message);
  }
}
