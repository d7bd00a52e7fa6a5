package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import java.util.ArrayList;
import java.util.List;

/**
 * An ordered list of configured passes whose preconditions hold (checked when it is built). Its text form
 * is {@code canonicalize,fold-constants{max-elements=1000000},dce}; {@link #toString} prints every option
 * explicitly and {@link #parse} reads that back to an equal pipeline.
 */
public final class PassPipeline {
  private static final PassPipeline EMPTY = new PassPipeline(List.of());

  private final List<Pass> passes;

  private PassPipeline(List<Pass> passes) {
    this.passes = List.copyOf(passes);
  }

  /** A pipeline of these passes, in order; throws a {@link CimcException} if a precondition is not met. */
  public static PassPipeline of(List<Pass> passes) {
    int bad = firstUnmetPrecondition(passes);
    if (bad >= 0) {
      throw preconditionError(passes, bad, dev.cimc.ir.diag.Location.UNKNOWN, null);
    }
    return new PassPipeline(passes);
  }

  public static PassPipeline of(Pass... passes) {
    return of(List.of(passes));
  }

  /** No passes. */
  public static PassPipeline empty() {
    return EMPTY;
  }

  /** Parses pipeline text; errors are located in a source called {@code pipeline}. */
  public static PassPipeline parse(String text, PassRegistry registry) {
    return parse("pipeline", text, registry);
  }

  /** Parses pipeline text; errors are located as {@code sourceName:line:col} with the line and a caret. */
  public static PassPipeline parse(String sourceName, String text, PassRegistry registry) {
    var parser = new PipelineParser(sourceName, text, registry);
    List<Pass> passes = parser.parse();
    int bad = firstUnmetPrecondition(passes);
    if (bad >= 0) {
      throw preconditionError(passes, bad, parser.location(bad), parser.detail(bad));
    }
    return new PassPipeline(passes);
  }

  public List<Pass> passes() {
    return passes;
  }

  public int size() {
    return passes.size();
  }

  public boolean isEmpty() {
    return passes.isEmpty();
  }

  /** This pipeline followed by {@code more} (preconditions checked). */
  public PassPipeline then(Pass... more) {
    var all = new ArrayList<>(passes);
    all.addAll(List.of(more));
    return of(all);
  }

  /** Index of the first pass whose preconditions do not all appear before it, or -1. */
  private static int firstUnmetPrecondition(List<Pass> passes) {
    for (int i = 0; i < passes.size(); i++) {
      if (missingPrecondition(passes, i) != null) {
        return i;
      }
    }
    return -1;
  }

  private static String missingPrecondition(List<Pass> passes, int i) {
    for (String required : passes.get(i).def().preconditions()) {
      boolean found = false;
      for (int j = 0; j < i && !found; j++) {
        found = passes.get(j).name().equals(required);
      }
      if (!found) {
        return required;
      }
    }
    return null;
  }

  private static CimcException preconditionError(List<Pass> passes, int i, dev.cimc.ir.diag.Location loc,
      String detail) {
    String name = passes.get(i).name();
    String required = missingPrecondition(passes, i);
    return new CimcException(loc, "pass '" + name + "' requires '" + required + "' to run before it",
        "add '" + required + "' earlier in the pipeline", detail, null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PassPipeline p && p.passes.equals(passes);
  }

  @Override
  public int hashCode() {
    return passes.hashCode();
  }

  /** The canonical text, every option explicit: paste it back into {@link #parse}. */
  @Override
  public String toString() {
    var sb = new StringBuilder();
    for (Pass p : passes) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(p);
    }
    return sb.toString();
  }
}
