package dev.cimc.ir.verify;

import dev.cimc.ir.diag.Location;

/**
 * One problem the verifier found.
 *
 * @param location where the offending node came from (may be unknown)
 * @param subject what is wrong, e.g. {@code %3 = graph.add} or {@code graph @main}
 * @param message what is wrong with it
 */
public record Diagnostic(Location location, String subject, String message) {
  /** {@code [loc: ]subject: message}. */
  public String render() {
    String prefix = location instanceof Location.Unknown ? "" : location + ": ";
    return prefix + subject + ": " + message;
  }
}
