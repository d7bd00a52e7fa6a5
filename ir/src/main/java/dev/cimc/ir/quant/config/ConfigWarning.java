package dev.cimc.ir.quant.config;

import dev.cimc.ir.diag.Location;

/**
 * Something in a mixed-precision configuration that has no effect or a weaker one than written (a rule
 * selecting no layer, a scheme the passes do not implement yet).
 *
 * @param location where the rule was written
 * @param message what happened
 * @param hint a suggestion (e.g. "did you mean"), or null
 */
public record ConfigWarning(Location location, String message, String hint) {
  /** {@code location: warning: message} and a {@code hint:} line, as errors are shown. */
  public String render() {
    var sb = new StringBuilder();
    if (!(location instanceof Location.Unknown)) {
      sb.append(location).append(": ");
    }
    sb.append("warning: ").append(message);
    if (hint != null && !hint.isEmpty()) {
      sb.append("\nhint: ").append(hint);
    }
    return sb.toString();
  }
}
