package dev.cimc.ir.verify;

import dev.cimc.ir.diag.CimcException;
import java.util.List;

/** The verifier's verdict on an invalid graph: every problem at once. */
public final class VerificationException extends CimcException {
  private static final long serialVersionUID = 1L;
  private final transient List<Diagnostic> diagnostics;

  public VerificationException(String graphName, List<Diagnostic> diagnostics) {
    super(dev.cimc.ir.diag.Location.UNKNOWN,
        "graph @" + graphName + " is invalid (" + diagnostics.size() + " problem" + (diagnostics.size() == 1 ? "" : "s") + ")",
        null, render(diagnostics), null);
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  private static String render(List<Diagnostic> ds) {
    var sb = new StringBuilder();
    for (Diagnostic d : ds) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      sb.append("  ").append(d.render());
    }
    return sb.toString();
  }
}
