package dev.cimc.ir.pass;

import dev.cimc.ir.graph.Graph;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The pass-timing instrumentation: after the pipeline, a wall-time table in MLIR's format. */
final class PassTimingInstrumentation implements PassInstrumentation {
  private final PrintStream out;
  private final boolean verifies;

  PassTimingInstrumentation(PrintStream out, boolean verifies) {
    this.out = out;
    this.verifies = verifies;
  }

  @Override
  public void runAfterPipeline(Graph graph, List<PassRun> runs) {
    out.print(report(runs, verifies));
    out.flush();
  }

  /** One row per pass in pipeline order, then the verifier (if it ran) and the total. */
  static String report(List<PassRun> runs, boolean verifies) {
    long total = 0;
    long verify = 0;
    for (PassRun r : runs) {
      total += r.passNanos() + r.verifyNanos();
      verify += r.verifyNanos();
    }
    var sb = new StringBuilder(banner("... Pass execution timing report ..."));
    sb.append(String.format(Locale.ROOT, "  Total Execution Time: %.4f seconds\n\n", total / 1e9));
    sb.append("  ----Wall Time----  ----Name----\n");
    for (PassRun r : runs) {
      row(sb, r.passNanos(), total, r.pass().displayName());
    }
    if (verifies) {
      row(sb, verify, total, "Verifier");
    }
    row(sb, total, total, "Total");
    return sb.append('\n').toString();
  }

  private static void row(StringBuilder sb, long nanos, long total, String name) {
    double percent = total == 0 ? (nanos == total ? 100.0 : 0.0) : 100.0 * nanos / total;
    sb.append(String.format(Locale.ROOT, "  %8.4f (%5.1f%%)  ", nanos / 1e9, percent)).append(name).append('\n');
  }

  /** MLIR's report banner: a rule, the centred title, a rule. */
  static String banner(String title) {
    String rule = "===" + "-".repeat(73) + "===\n";
    return rule + " ".repeat((rule.length() - 1 - title.length()) / 2) + title + "\n" + rule;
  }
}
