package dev.cimc.ir.diag;

/**
 * The one exception family for errors a user can cause: bad input files, bad flags, impossible targets.
 * It carries a location, a message saying what was expected, and an optional hint. The CLI turns it into
 * {@code location: error: message} plus the hint and exit code 1 ({@link #exitCode()}).
 */
public class CimcException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Location location;
  private final String hint;
  private final String detail;

  public CimcException(Location location, String message, String hint) {
    this(location, message, hint, null, null);
  }

  public CimcException(Location location, String message, String hint, String detail, Throwable cause) {
    super(message, cause);
    this.location = location == null ? Location.UNKNOWN : location;
    this.hint = hint;
    this.detail = detail;
  }

  public CimcException(String message) {
    this(Location.UNKNOWN, message, null);
  }

  public CimcException(String message, String hint) {
    this(Location.UNKNOWN, message, hint);
  }

  public Location location() {
    return location;
  }

  /** A suggestion for the user, or null. */
  public String hint() {
    return hint;
  }

  /** Extra lines shown under the message (e.g. the offending source line and a caret), or null. */
  public String detail() {
    return detail;
  }

  /** Exit code for the CLI: 1, a user error. */
  public int exitCode() {
    return 1;
  }

  /** The full text shown to a user: {@code loc: error: msg}, detail lines, {@code hint: ...}. */
  public String render() {
    var sb = new StringBuilder();
    if (!(location instanceof Location.Unknown)) {
      sb.append(location).append(": ");
    }
    sb.append("error: ").append(getMessage());
    if (detail != null && !detail.isEmpty()) {
      sb.append('\n').append(detail);
    }
    if (hint != null && !hint.isEmpty()) {
      sb.append("\nhint: ").append(hint);
    }
    return sb.toString();
  }
}
