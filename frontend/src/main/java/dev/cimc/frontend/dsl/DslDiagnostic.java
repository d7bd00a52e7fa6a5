package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Location;
import java.util.List;

/**
 * One problem found in a {@code .cim} file, rendered the way compilers print them:
 *
 * <pre>
 * net.cim:4:13: error: unknown layer `conv2`
 *   y = x |&gt; conv2(6, kernel=5)
 *            ^~~~~
 * hint: did you mean `conv2d`?
 * </pre>
 *
 * @param severity error or warning
 * @param location file, line and column of the first character
 * @param message what is wrong
 * @param sourceLine the offending line of source text (empty when the file is unknown)
 * @param caretColumn 1-based column of the caret
 * @param caretLength how many characters of the line the caret range covers (at least 1)
 * @param hint a suggestion, or null
 * @param notes further located remarks, each rendered on its own line
 */
public record DslDiagnostic(Severity severity, Location.FileLineCol location, String message, String sourceLine,
    int caretColumn, int caretLength, String hint, List<String> notes) {

  /** How bad a diagnostic is. */
  public enum Severity {
    ERROR("error"),
    WARNING("warning");

    private final String text;

    Severity(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  public DslDiagnostic {
    notes = List.copyOf(notes);
  }

  static DslDiagnostic at(Severity severity, Span span, String message, String hint, List<String> notes) {
    String line = span.source().line(span.line());
    int col = Math.max(1, span.col());
    int lineEnd = line.codePointCount(0, line.length()) + 1;
    int end = span.endLine() == span.line() ? span.endCol() : lineEnd;
    end = Math.min(end, Math.max(lineEnd, col + 1));
    int length = Math.max(1, end - col);
    return new DslDiagnostic(severity, new Location.FileLineCol(span.source().name(), span.line(), col), message,
        line, col, length, hint, notes);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** The full text: header line, source line, caret line, then hint and notes (no trailing newline). */
  public String render() {
    var sb = new StringBuilder();
    sb.append(location).append(": ").append(severity.text()).append(": ").append(message);
    if (!sourceLine.isEmpty()) {
      sb.append('\n').append(sourceLine).append('\n');
      int cp = 0;
      for (int i = 0; i < sourceLine.length() && cp < caretColumn - 1; i = sourceLine.offsetByCodePoints(i, 1), cp++) {
        sb.append(sourceLine.charAt(i) == '\t' ? '\t' : ' ');
      }
      for (; cp < caretColumn - 1; cp++) {
        sb.append(' ');
      }
      sb.append('^');
      for (int i = 1; i < caretLength; i++) {
        sb.append('~');
      }
    }
    if (hint != null) {
      sb.append("\nhint: ").append(hint);
    }
    for (String note : notes) {
      sb.append('\n').append(note);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return render();
  }
}
