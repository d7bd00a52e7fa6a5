package dev.cimc.ir.pass;

/**
 * Where passes report warnings (a {@link PassResources} entry): problems that do not stop the compilation,
 * such as a mixed-precision rule that matched no layer. Without one, warnings are dropped.
 */
@FunctionalInterface
public interface PassWarnings {
  /**
   * @param pass the pass that warns
   * @param message the rendered warning ({@code location: warning: ...} and an optional {@code hint:} line)
   */
  void warn(String pass, String message);
}
