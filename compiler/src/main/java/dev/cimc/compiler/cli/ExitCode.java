package dev.cimc.compiler.cli;

/** Process exit codes of the cimc command line (DESIGN.md section 7). */
public final class ExitCode {
  private ExitCode() {}

  public static final int OK = 0;
  /** Bad input: a malformed model, IR or tensor file, an impossible target. */
  public static final int USER_ERROR = 1;
  /** Bad command line: unknown flag, missing argument. */
  public static final int USAGE = 2;
  /** A bug in cimc. */
  public static final int INTERNAL = 3;
}
