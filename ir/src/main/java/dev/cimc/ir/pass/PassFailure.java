package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Node;

/**
 * Thrown by a pass that cannot do its job on this input, naming the node at fault. The pass manager
 * turns it into a {@link PassException} that names the pass as well.
 */
public class PassFailure extends CimcException {
  private static final long serialVersionUID = 1L;
  private final String subject;

  /** A failure at {@code node}: the message says what is wrong with it. */
  public PassFailure(Node node, String message) {
    this(node, message, null);
  }

  public PassFailure(Node node, String message, String hint) {
    super(node.location(), message, hint);
    this.subject = node.describe();
  }

  /** A failure not tied to one node. */
  public PassFailure(String message, String hint) {
    super(Location.UNKNOWN, message, hint);
    this.subject = null;
  }

  /** The offending node as {@code %3 = graph.div}, or null. */
  public String subject() {
    return subject;
  }
}
