package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.verify.Diagnostic;
import dev.cimc.ir.verify.Verifier;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a {@link PassPipeline} over a graph, verifying after each pass and calling
 * {@link PassInstrumentation} hooks around it (as MLIR's {@code PassManager}). IR dumps, timing and
 * statistics reports are built-in instrumentations configured by {@link Options}; nothing is static, so
 * managers in one JVM never interfere.
 *
 * <p>Failures: a {@link PassFailure} or other {@link CimcException} thrown by a pass, or IR that does not
 * verify after it, becomes a {@link PassException} naming the pass; any other exception from a pass is a
 * bug and is rethrown as an {@link IllegalStateException} naming the pass, with the original as cause.
 */
public final class PassManager {
  private final PassPipeline pipeline;
  private final Options options;
  private final OpRegistry registry;
  private final List<PassInstrumentation> instrumentations;
  private final PassResources resources;

  /** A manager using the standard op registry. */
  public PassManager(PassPipeline pipeline, Options options) {
    this(pipeline, options, Dialects.standard());
  }

  public PassManager(PassPipeline pipeline, Options options, OpRegistry registry) {
    this(pipeline, options, registry, List.of(), PassResources.empty());
  }

  private PassManager(PassPipeline pipeline, Options options, OpRegistry registry,
      List<PassInstrumentation> instrumentations, PassResources resources) {
    this.pipeline = pipeline;
    this.options = options;
    this.registry = registry;
    this.instrumentations = List.copyOf(instrumentations);
    this.resources = resources;
  }

  /** The same manager giving its passes {@code resources} (calibration data, per-layer rules, ...). */
  public PassManager withResources(PassResources resources) {
    return new PassManager(pipeline, options, registry, instrumentations, resources);
  }

  /** The same manager with one more instrumentation, called after the built-in ones. */
  public PassManager withInstrumentation(PassInstrumentation instrumentation) {
    var l = new ArrayList<>(instrumentations);
    l.add(instrumentation);
    return new PassManager(pipeline, options, registry, l, resources);
  }

  public PassPipeline pipeline() {
    return pipeline;
  }

  public Options options() {
    return options;
  }

  /**
   * What a pipeline run did, pass by pass.
   *
   * @param runs one entry per pass, in pipeline order
   */
  public record Result(List<PassRun> runs) {
    public Result {
      runs = List.copyOf(runs);
    }

    /** True if some pass reported a change. */
    public boolean changed() {
      for (PassRun r : runs) {
        if (r.changed()) {
          return true;
        }
      }
      return false;
    }
  }

  /** Runs the pipeline over {@code graph} in place. With verify-each, the input is verified first. */
  public Result run(Graph graph) {
    List<PassInstrumentation> hooks = hooks();
    for (PassInstrumentation h : hooks) {
      h.runBeforePipeline(graph, pipeline);
    }
    // one memo per run: verifications after passes skip inference for nodes the passes left alone
    var memo = new Verifier.InferenceMemo();
    if (options.verifyEach()) {
      Verifier.check(graph, memo);
    }
    var runs = new ArrayList<PassRun>(pipeline.size());
    for (int i = 0; i < pipeline.size(); i++) {
      runs.add(runPass(pipeline.passes().get(i), i, graph, hooks, memo));
    }
    for (int k = hooks.size() - 1; k >= 0; k--) {
      hooks.get(k).runAfterPipeline(graph, Collections.unmodifiableList(runs));
    }
    return new Result(runs);
  }

  private PassRun runPass(Pass pass, int index, Graph graph, List<PassInstrumentation> hooks,
      Verifier.InferenceMemo memo) {
    for (PassInstrumentation h : hooks) {
      h.runBeforePass(pass, index, graph);
    }
    var context = new PassContext(pass, registry, resources);
    long t0 = System.nanoTime();
    boolean changed;
    try {
      changed = pass.run(graph, context);
    } catch (PassFailure f) {
      throw failed(pass, index, graph, hooks, new PassException(pass.name(), failureMessage(pass, f), f.hint(),
          f.detail(), f));
    } catch (CimcException e) {
      String at = e.location() instanceof Location.Unknown ? "" : " at " + e.location();
      throw failed(pass, index, graph, hooks, new PassException(pass.name(),
          "pass '" + pass.name() + "' failed" + at + ": " + e.getMessage(), e.hint(), e.detail(), e));
    } catch (RuntimeException e) {
      throw failed(pass, index, graph, hooks,
          new IllegalStateException("internal error in pass '" + pass.name() + "': " + e, e));
    }
    long t1 = System.nanoTime();
    long verifyNanos = 0;
    if (options.verifyEach()) {
      List<Diagnostic> problems = Verifier.verify(graph, memo);
      verifyNanos = System.nanoTime() - t1;
      if (!problems.isEmpty()) {
        var detail = new StringBuilder();
        for (Diagnostic d : problems) {
          detail.append(detail.length() == 0 ? "" : "\n").append("  ").append(d.render());
        }
        throw failed(pass, index, graph, hooks, new PassException(pass.name(),
            "pass '" + pass.name() + "' produced invalid IR", null, detail.toString(), null));
      }
    }
    var run = new PassRun(pass, index, changed, context.statistics(), t1 - t0, verifyNanos);
    for (int k = hooks.size() - 1; k >= 0; k--) {
      hooks.get(k).runAfterPass(run, graph);
    }
    return run;
  }

  private static String failureMessage(Pass pass, PassFailure f) {
    var sb = new StringBuilder("pass '").append(pass.name()).append("' failed");
    if (f.subject() != null) {
      sb.append(" on ").append(f.subject());
    }
    if (!(f.location() instanceof Location.Unknown)) {
      sb.append(" (").append(f.location()).append(')');
    }
    return sb.append(": ").append(f.getMessage()).toString();
  }

  /** Tells the hooks (in reverse order) and returns the exception to throw. */
  private static RuntimeException failed(Pass pass, int index, Graph graph, List<PassInstrumentation> hooks,
      RuntimeException failure) {
    for (int k = hooks.size() - 1; k >= 0; k--) {
      try {
        hooks.get(k).runAfterPassFailed(pass, index, graph, failure);
      } catch (RuntimeException e) {
        // A graph broken by a crashing pass may not even print; keep the pass's failure as the error.
        failure.addSuppressed(e);
      }
    }
    return failure;
  }

  private List<PassInstrumentation> hooks() {
    var l = new ArrayList<PassInstrumentation>();
    if (options.printsIr()) {
      l.add(new IrPrintingInstrumentation(options, pipeline.size()));
    }
    // After-hooks run in reverse: the statistics report comes before the timing report.
    if (options.passTiming()) {
      l.add(new PassTimingInstrumentation(options.out(), options.verifyEach()));
    }
    if (options.passStatistics()) {
      l.add(new PassStatisticsInstrumentation(options.out()));
    }
    l.addAll(instrumentations);
    return l;
  }

  /**
   * How a {@link PassManager} observes a run (the MLIR/LLVM flags of the same names).
   *
   * @param printIrBefore dump the IR before these passes (CLI names)
   * @param printIrAfter dump the IR after these passes
   * @param printIrBeforeAll dump before every pass
   * @param printIrAfterAll dump after every pass
   * @param printIrAfterChange only dump after a pass if it changed the IR (compared by fingerprint); alone
   *     it means: after every pass that changed the IR
   * @param printIrAfterFailure dump the IR after a pass that failed
   * @param dumpIrDir if not null, dumps go to numbered files in this directory instead of {@link #out}:
   *     {@code 00-input.cir}, {@code NN-before-<pass>.cir}, {@code NN-after-<pass>.cir},
   *     {@code NN-after-<pass>-failed.cir} with NN the pass's position from 1; without any print option,
   *     every pass is dumped after it runs
   * @param passTiming print a wall-time table after the pipeline
   * @param passStatistics print each pass's statistics after the pipeline
   * @param verifyEach verify the input and the IR after every pass
   * @param out where dumps and reports go
   * @param printOptions how dumped IR is printed
   */
  public record Options(Set<String> printIrBefore, Set<String> printIrAfter, boolean printIrBeforeAll,
      boolean printIrAfterAll, boolean printIrAfterChange, boolean printIrAfterFailure, Path dumpIrDir,
      boolean passTiming, boolean passStatistics, boolean verifyEach, PrintStream out, PrintOptions printOptions) {

    public Options {
      printIrBefore = Collections.unmodifiableSet(new TreeSet<>(printIrBefore));
      printIrAfter = Collections.unmodifiableSet(new TreeSet<>(printIrAfter));
      java.util.Objects.requireNonNull(out, "out");
      java.util.Objects.requireNonNull(printOptions, "printOptions");
    }

    /** Verify each pass, nothing printed; reports to standard error, dumps with constants elided. */
    public static Options defaults() {
      return new Options(Set.of(), Set.of(), false, false, false, false, null, false, false, true, System.err,
          PrintOptions.dump());
    }

    /** True if some IR is dumped (to {@link #out} or the dump directory). */
    boolean printsIr() {
      return !printIrBefore.isEmpty() || !printIrAfter.isEmpty() || printIrBeforeAll || printIrAfterAll
          || printIrAfterChange || printIrAfterFailure || dumpIrDir != null;
    }

    /** Throws a {@link CimcException} if a print-ir pass name is not in {@code registry}. */
    public void checkPassNames(PassRegistry registry) {
      for (Set<String> names : List.of(printIrBefore, printIrAfter)) {
        for (String n : names) {
          registry.get(n);
        }
      }
    }

    public Options withPrintIrBefore(String... passNames) {
      return new Options(Set.of(passNames), printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPrintIrAfter(String... passNames) {
      return new Options(printIrBefore, Set.of(passNames), printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPrintIrBeforeAll(boolean b) {
      return new Options(printIrBefore, printIrAfter, b, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPrintIrAfterAll(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, b, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPrintIrAfterChange(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, b,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPrintIrAfterFailure(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          b, dumpIrDir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withDumpIrDir(Path dir) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dir, passTiming, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPassTiming(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, b, passStatistics, verifyEach, out, printOptions);
    }

    public Options withPassStatistics(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, b, verifyEach, out, printOptions);
    }

    public Options withVerifyEach(boolean b) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, b, out, printOptions);
    }

    public Options withOut(PrintStream s) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, s, printOptions);
    }

    public Options withPrintOptions(PrintOptions p) {
      return new Options(printIrBefore, printIrAfter, printIrBeforeAll, printIrAfterAll, printIrAfterChange,
          printIrAfterFailure, dumpIrDir, passTiming, passStatistics, verifyEach, out, p);
    }
  }
}
