package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;

/**
 * A pass failed or produced invalid IR: the message names the pass, and the node when known, e.g.
 * {@code pass 'fold-constants' failed on %3 = graph.div (m.cir:4:3): ...}.
 */
public final class PassException extends CimcException {
  private static final long serialVersionUID = 1L;
  private final String passName;

  public PassException(String passName, String message, String hint, String detail, Throwable cause) {
    super(Location.UNKNOWN, message, hint, detail, cause);
    this.passName = passName;
  }

  /** The CLI name of the pass at fault. */
  public String passName() {
    return passName;
  }
}
