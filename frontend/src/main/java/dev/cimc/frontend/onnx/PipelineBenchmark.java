package dev.cimc.frontend.onnx;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassInstrumentation;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.PassRun;
import dev.cimc.ir.pass.Pipelines;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The cost of an optimization pipeline next to the import it follows (target for -O1: under 10% of the
 * import). Both are warmed up first so the JIT has compiled them; then each measured iteration imports the
 * model (timed), and runs the pipeline on that fresh graph with the verifier after each pass, as the
 * command line does (timed, per pass through the pass manager's own timings). Wall times and the thread's
 * CPU times are both kept: on a loaded machine the CPU times are the steadier figures.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  /**
   * One pass of the pipeline: its position, name and median times.
   *
   * @param index position in the pipeline, from 0
   * @param name the pass's name
   * @param medianMillis median wall time of the pass (its verification not included)
   * @param medianCpuMillis median CPU time of the pass and the verification after it
   */
  public record PassTime(int index, String name, double medianMillis, double medianCpuMillis) {}

  /**
   * The figures of one benchmark run.
   *
   * @param model the file
   * @param bytes its size
   * @param nodes nodes after import
   * @param nodesAfter nodes after the pipeline
   * @param pipeline the pipeline's text
   * @param importMillis median import time
   * @param pipelineMillis median time of the whole pipeline, verification after each pass included
   * @param verifyMillis median time of that verification
   * @param passesMillis median time of the passes alone (the pipeline without any verification)
   * @param importCpuMillis median CPU time of the import
   * @param pipelineCpuMillis median CPU time of the pipeline
   * @param importBestCpuMillis the least CPU time of an import (the figure least disturbed by other load)
   * @param pipelineBestCpuMillis the least CPU time of a pipeline run
   * @param passes per-pass median times, in pipeline order
   */
  public record Report(String model, long bytes, int nodes, int nodesAfter, String pipeline, double importMillis,
      double pipelineMillis, double verifyMillis, double passesMillis, double importCpuMillis, double pipelineCpuMillis,
      double importBestCpuMillis, double pipelineBestCpuMillis, List<PassTime> passes) {
    public Report {
      passes = List.copyOf(passes);
    }

    /** Pipeline time over import time (wall). */
    public double ratio() {
      return pipelineMillis / importMillis;
    }

    /** Pipeline CPU time over import CPU time. */
    public double cpuRatio() {
      return pipelineCpuMillis / importCpuMillis;
    }

    /** A summary line, then one line per pass (slowest first). */
    public String format() {
      var sb = new StringBuilder(String.format(Locale.ROOT, "%s: %.1f KB, %d nodes (%d after), %s%n", model,
          bytes / 1e3, nodes, nodesAfter, pipeline));
      sb.append(String.format(Locale.ROOT,
          "  wall: import %.3f ms, pipeline %.3f ms = %.1f%% of import (medians)%n",
          importMillis, pipelineMillis, 100 * ratio()));
      sb.append(String.format(Locale.ROOT,
          "  cpu:  import %.3f ms, pipeline %.3f ms = %.1f%% of import (medians)%n",
          importCpuMillis, pipelineCpuMillis, 100 * cpuRatio()));
      sb.append(String.format(Locale.ROOT,
          "  cpu:  import %.3f ms, pipeline %.3f ms = %.1f%% of import (best of each)%n",
          importBestCpuMillis, pipelineBestCpuMillis, 100 * pipelineBestCpuMillis / importBestCpuMillis));
      sb.append(String.format(Locale.ROOT,
          "  wall: passes alone (no verification) %.3f ms = %.1f%% of import (medians)%n",
          passesMillis, 100 * passesMillis / importMillis));
      sb.append("      wall ms   cpu ms (pass + verify)\n");
      var sorted = new ArrayList<>(passes);
      sorted.sort((a, b) -> Double.compare(b.medianCpuMillis(), a.medianCpuMillis()));
      for (PassTime p : sorted) {
        sb.append(String.format(Locale.ROOT, "  %9.3f %9.3f  %d %s%n", p.medianMillis(), p.medianCpuMillis(),
            p.index() + 1, p.name()));
      }
      sb.append(String.format(Locale.ROOT, "  %9.3f            verifier (after each pass, wall)%n", verifyMillis));
      return sb.toString();
    }
  }

  /** Benchmarks the -O1 pipeline on {@code model}. */
  public static Report o1(Path model, int warmups, double warmupSeconds, int iterations) {
    var registry = PassRegistry.standard();
    return run(model, Pipelines.forLevel(OptLevel.O1, registry), Pipelines.text(OptLevel.O1), warmups,
        warmupSeconds, iterations);
  }

  /**
   * Imports {@code model} and runs {@code pipeline} on it: warm-up runs until there were {@code warmups} of
   * them and {@code warmupSeconds} passed (small models need many runs before the JIT has compiled the hot
   * code), then {@code iterations} measured runs.
   */
  public static Report run(Path model, PassPipeline pipeline, String pipelineText, int warmups, double warmupSeconds,
      int iterations) {
    if (warmups < 0 || warmupSeconds < 0 || iterations < 1) {
      throw new IllegalArgumentException("need warmups >= 0, warmupSeconds >= 0 and iterations >= 1");
    }
    long bytes;
    try {
      bytes = Files.size(model);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ImportOptions options = ImportOptions.defaults();
    var runs = new ArrayList<List<PassRun>>();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long[] passCpu = new long[pipeline.size()];
    var manager = new PassManager(pipeline, PassManager.Options.defaults().withOut(new PrintStream(
        PrintStream.nullOutputStream()))).withInstrumentation(new PassInstrumentation() {
          @Override
          public void runBeforePass(dev.cimc.ir.pass.Pass pass, int index, Graph graph) {
            passCpu[index] = cpu.getCurrentThreadCpuTime();
          }

          @Override
          public void runAfterPass(PassRun run, Graph graph) {
            passCpu[run.index()] = cpu.getCurrentThreadCpuTime() - passCpu[run.index()];
          }

          @Override
          public void runAfterPipeline(Graph graph, List<PassRun> r) {
            runs.add(List.copyOf(r));
          }
        });
    long[] importTimes = new long[iterations];
    long[] pipelineTimes = new long[iterations];
    long[] verifyTimes = new long[iterations];
    long[] passesTimes = new long[iterations];
    long[][] perPass = new long[pipeline.size()][iterations];
    long[][] perPassCpu = new long[pipeline.size()][iterations];
    long[] importCpu = new long[iterations];
    long[] pipelineCpu = new long[iterations];
    int nodes = 0;
    int nodesAfter = 0;
    long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
    for (int w = 0; w < warmups || System.nanoTime() < warmupEnd; w++) {
      manager.run(OnnxImporter.importModel(model, options));
      runs.clear();
    }
    for (int i = warmups; i < warmups + iterations; i++) {
      long c0 = cpu.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Graph g = OnnxImporter.importModel(model, options);
      long t1 = System.nanoTime();
      long c1 = cpu.getCurrentThreadCpuTime();
      nodes = g.size();
      runs.clear();
      long c2 = cpu.getCurrentThreadCpuTime();
      long t2 = System.nanoTime();
      manager.run(g);
      long t3 = System.nanoTime();
      long c3 = cpu.getCurrentThreadCpuTime();
      nodesAfter = g.size();
      if (i >= warmups) {
        int k = i - warmups;
        importTimes[k] = t1 - t0;
        pipelineTimes[k] = t3 - t2;
        importCpu[k] = c1 - c0;
        pipelineCpu[k] = c3 - c2;
        for (int p = 0; p < passCpu.length; p++) {
          perPassCpu[p][k] = passCpu[p];
        }
        for (PassRun r : runs.get(0)) {
          verifyTimes[k] += r.verifyNanos();
          passesTimes[k] += r.passNanos();
        }
        for (PassRun r : runs.get(0)) {
          perPass[r.index()][k] = r.passNanos();
        }
      }
    }
    var passes = new ArrayList<PassTime>();
    for (int p = 0; p < pipeline.size(); p++) {
      passes.add(new PassTime(p, pipeline.passes().get(p).name(), median(perPass[p]), median(perPassCpu[p])));
    }
    return new Report(model.toString(), bytes, nodes, nodesAfter, pipelineText, median(importTimes),
        median(pipelineTimes), median(verifyTimes), median(passesTimes), median(importCpu), median(pipelineCpu), min(importCpu), min(pipelineCpu), passes);
  }

  private static double min(long[] nanos) {
    long m = Long.MAX_VALUE;
    for (long n : nanos) {
      m = Math.min(m, n);
    }
    return m / 1e6;
  }

  private static double median(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    int n = s.length;
    return (n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0) / 1e6;
  }
}
