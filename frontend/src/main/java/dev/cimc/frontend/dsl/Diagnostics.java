package dev.cimc.frontend.dsl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the diagnostics of one compilation. The same problem reported twice at the same place (a block
 * body checked once and instantiated many times) is kept once; {@link #sorted()} orders them by file (in
 * the order files were first seen), line and column.
 */
final class Diagnostics {
  private final List<DslDiagnostic> list = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private final List<String> fileOrder = new ArrayList<>();
  private int errors;

  void error(Span span, String message, String hint) {
    add(DslDiagnostic.at(DslDiagnostic.Severity.ERROR, span, message, hint, List.of()));
  }

  void error(Span span, String message, String hint, List<String> notes) {
    add(DslDiagnostic.at(DslDiagnostic.Severity.ERROR, span, message, hint, notes));
  }

  void warning(Span span, String message, String hint) {
    add(DslDiagnostic.at(DslDiagnostic.Severity.WARNING, span, message, hint, List.of()));
  }

  void add(DslDiagnostic d) {
    String key = d.severity() + "|" + d.location() + "|" + d.message();
    if (!seen.add(key)) {
      return;
    }
    String file = d.location().file();
    if (!fileOrder.contains(file)) {
      fileOrder.add(file);
    }
    list.add(d);
    if (d.isError()) {
      errors++;
    }
  }

  boolean hasErrors() {
    return errors > 0;
  }

  int errorCount() {
    return errors;
  }

  List<DslDiagnostic> sorted() {
    var out = new ArrayList<>(list);
    out.sort(Comparator.<DslDiagnostic>comparingInt(d -> fileOrder.indexOf(d.location().file()))
        .thenComparingInt(d -> d.location().line())
        .thenComparingInt(d -> d.location().col()));
    return List.copyOf(out);
  }

  static String render(List<DslDiagnostic> ds) {
    var sb = new StringBuilder();
    for (DslDiagnostic d : ds) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(d.render());
    }
    return sb.toString();
  }
}
