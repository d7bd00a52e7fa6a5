package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Location;

/**
 * A range of source text: 1-based line and column of its first character, and the line and column just
 * past its last character, plus the indexes of its first and last tokens (which the formatter uses to
 * attach comments).
 */
record Span(SourceFile source, int line, int col, int endLine, int endCol, int firstToken, int lastToken) {

  /** The span from the start of {@code a} to the end of {@code b}. */
  static Span cover(Span a, Span b) {
    return new Span(a.source, a.line, a.col, b.endLine, b.endCol, a.firstToken, b.lastToken);
  }

  /** The source text of the span (its first line only, with an ellipsis, when it spans several). */
  String text() {
    String l = source.line(line);
    int from = l.offsetByCodePoints(0, Math.min(col - 1, l.codePointCount(0, l.length())));
    if (endLine != line) {
      return l.substring(from) + " ...";
    }
    int to = l.offsetByCodePoints(0, Math.min(endCol - 1, l.codePointCount(0, l.length())));
    return l.substring(from, Math.max(from, to));
  }

  Location location() {
    return Location.file(source.name(), line, col);
  }

  @Override
  public String toString() {
    return source.name() + ":" + line + ":" + col;
  }
}
