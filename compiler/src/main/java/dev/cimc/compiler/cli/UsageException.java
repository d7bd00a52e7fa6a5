package dev.cimc.compiler.cli;

import dev.cimc.ir.diag.CimcException;

/** A bad command line that picocli's own parsing cannot catch (a flag's value, a flag combination): exit 2. */
final class UsageException extends CimcException {
  private static final long serialVersionUID = 1L;

  UsageException(String message, String hint) {
    super(message, hint);
  }

  @Override
  public int exitCode() {
    return ExitCode.USAGE;
  }
}
