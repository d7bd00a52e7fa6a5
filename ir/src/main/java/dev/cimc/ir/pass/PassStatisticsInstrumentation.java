package dev.cimc.ir.pass;

import dev.cimc.ir.graph.Graph;
import java.io.PrintStream;
import java.util.List;

/** The pass-statistics instrumentation: after the pipeline, each pass's counters in MLIR's format. */
final class PassStatisticsInstrumentation implements PassInstrumentation {
  private final PrintStream out;

  PassStatisticsInstrumentation(PrintStream out) {
    this.out = out;
  }

  @Override
  public void runAfterPipeline(Graph graph, List<PassRun> runs) {
    out.print(report(runs));
    out.flush();
  }

  /** Per pass, in pipeline order: {@code Name (cli-name)} then {@code (S) value name - description} lines. */
  static String report(List<PassRun> runs) {
    var sb = new StringBuilder(PassTimingInstrumentation.banner("... Pass statistics report ..."));
    for (PassRun r : runs) {
      sb.append(r.pass().displayName()).append(" (").append(r.pass().name()).append(")\n");
      int width = 1;
      for (long v : r.statistics().values()) {
        width = Math.max(width, Long.toString(v).length());
      }
      for (Statistic s : r.pass().def().statistics()) {
        String v = Long.toString(r.statistics().get(s.name()));
        sb.append("  (S) ").append(" ".repeat(width - v.length())).append(v).append(' ').append(s.name())
            .append(" - ").append(s.description()).append('\n');
      }
    }
    return sb.append('\n').toString();
  }
}
