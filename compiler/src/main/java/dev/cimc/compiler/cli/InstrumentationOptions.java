package dev.cimc.compiler.cli;

import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.text.PrintOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Pass-manager instrumentation flags shared by the main command and {@code opt}, as in MLIR and LLVM. */
public final class InstrumentationOptions {
  @Option(names = "--print-ir-before", split = ",", paramLabel = "PASS",
      description = "Print the IR before these passes (comma-separated pass names).")
  List<String> printIrBefore = new ArrayList<>();

  @Option(names = "--print-ir-after", split = ",", paramLabel = "PASS",
      description = "Print the IR after these passes.")
  List<String> printIrAfter = new ArrayList<>();

  @Option(names = "--print-ir-before-all", description = "Print the IR before every pass.")
  boolean printIrBeforeAll;

  @Option(names = "--print-ir-after-all", description = "Print the IR after every pass.")
  boolean printIrAfterAll;

  @Option(names = "--print-ir-after-change", description = "Print the IR after a pass only if it changed it.")
  boolean printIrAfterChange;

  @Option(names = "--print-ir-after-failure", description = "Print the IR a failing pass left behind.")
  boolean printIrAfterFailure;

  @Option(names = "--dump-ir-dir", paramLabel = "DIR",
      description = "Write the dumps as numbered files into DIR (e.g. 03-after-dce.cir); alone, dumps after every pass.")
  Path dumpIrDir;

  @Option(names = "--pass-timing", description = "Print a table of wall time per pass.")
  boolean passTiming;

  @Option(names = "--pass-statistics", description = "Print what each pass did (its counters).")
  boolean passStatistics;

  @Option(names = "--verify-each", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Verify the IR after every pass (default: on; --no-verify-each to skip).")
  boolean verifyEach = true;

  @Option(names = "--elide-constants", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "In dumps and IR printed to stdout, show constants larger than 16 elements as @name "
          + "references (default: on; --no-elide-constants prints every value).")
  boolean elideConstants = true;

  /** How IR is printed to a terminal or dump under these flags. */
  PrintOptions printOptions() {
    return elideConstants ? PrintOptions.dump() : PrintOptions.defaults().withInlineLimit(Integer.MAX_VALUE);
  }

  /** Pass-manager options for these flags; dumps go to {@code err}, into {@code dumpDir} if given. */
  PassManager.Options toOptions(PrintStream err, Path dumpDir) {
    return new PassManager.Options(Set.copyOf(printIrBefore), Set.copyOf(printIrAfter), printIrBeforeAll,
        printIrAfterAll, printIrAfterChange, printIrAfterFailure, dumpDir, passTiming, passStatistics, verifyEach,
        err, printOptions());
  }
}
