package dev.cimc.ir.text;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;

/**
 * A syntax or name-resolution error in cimc text: {@code file:line:col: error: expected X, found Y}, the
 * source line with a caret under the offending token as detail, and a hint where one helps.
 */
public final class ParseException extends CimcException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;

  public ParseException(Location.FileLineCol location, String message, String hint, String detail) {
    super(location, message, hint, detail, null);
    this.line = location.line();
    this.column = location.col();
  }

  /** 1-based line of the offending token. */
  public int line() {
    return line;
  }

  /** 1-based column of the offending token. */
  public int column() {
    return column;
  }
}
