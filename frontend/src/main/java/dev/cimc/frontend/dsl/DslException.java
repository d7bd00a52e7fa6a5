package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.CimcException;
import java.util.List;

/**
 * A {@code .cim} program that cannot be compiled. It carries every diagnostic found (errors and
 * warnings, in source order); {@link #render()} prints them all, and the message, location and hint of
 * the exception are those of the first error.
 */
public final class DslException extends CimcException {
  private static final long serialVersionUID = 1L;
  private final transient List<DslDiagnostic> diagnostics;

  public DslException(List<DslDiagnostic> diagnostics) {
    super(firstError(diagnostics).location(), firstError(diagnostics).message(), firstError(diagnostics).hint());
    this.diagnostics = List.copyOf(diagnostics);
  }

  private static DslDiagnostic firstError(List<DslDiagnostic> ds) {
    for (DslDiagnostic d : ds) {
      if (d.isError()) {
        return d;
      }
    }
    throw new IllegalArgumentException("a DslException needs at least one error");
  }

  /** Every diagnostic, in source order. */
  public List<DslDiagnostic> diagnostics() {
    return diagnostics;
  }

  /** The number of errors (warnings not counted). */
  public long errorCount() {
    return diagnostics.stream().filter(DslDiagnostic::isError).count();
  }

  @Override
  public String render() {
    return Diagnostics.render(diagnostics);
  }
}
