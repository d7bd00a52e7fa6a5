package dev.cimc.compiler;

import dev.cimc.compiler.model.IrFiles;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;

/**
 * The library entry point for compilers that embed cimc. Each instance holds its own registries and
 * configuration, so several compilations in one JVM never interfere.
 *
 * <pre>{@code
 * var cimc = Cimc.standard();
 * Graph g = cimc.load(Path.of("model.cir"));
 * cimc.optimize(g, OptLevel.O2);
 * Map<String, Tensor> y = cimc.run(g, Map.of("x", x));
 * }</pre>
 */
public final class Cimc {
  private final OpRegistry ops;
  private final PassRegistry passes;

  private Cimc(OpRegistry ops, PassRegistry passes) {
    this.ops = ops;
    this.passes = passes;
  }

  /** The ops and passes cimc ships. */
  public static Cimc standard() {
    return new Cimc(Dialects.standard(), PassRegistry.standard());
  }

  /** An instance with extra ops or passes (e.g. a client's own dialect). */
  public static Cimc of(OpRegistry ops, PassRegistry passes) {
    return new Cimc(ops, passes);
  }

  public OpRegistry ops() {
    return ops;
  }

  public PassRegistry passes() {
    return passes;
  }

  /** Loads and verifies a model file (by extension). */
  public Graph load(Path file) {
    return ModelLoader.load(file, ops);
  }

  /** Writes a graph as {@code .cir} text plus its side file of constants. */
  public void save(Graph g, Path file) {
    IrFiles.write(g, file);
  }

  /** Runs the pipeline of an optimization level, verifying after each pass. */
  /** Runs the graph-level part of a level's pipeline (the float graph stays float; see {@link #quantize}). */
  public PassManager.Result optimize(Graph g, OptLevel level) {
    return optimize(g, Pipelines.graphLevel(Pipelines.forLevel(level, passes)), PassManager.Options.defaults());
  }

  /**
   * Runs a level's whole pipeline, quantization included, calibrating on {@code calibration}: the graph ends
   * at the quantized-graph level (integer q ops).
   */
  public PassManager.Result quantize(Graph g, OptLevel level, dev.cimc.ir.quant.calibrate.CalibrationData calibration) {
    return new PassManager(Pipelines.forLevel(level, passes), PassManager.Options.defaults(), ops)
        .withResources(dev.cimc.ir.pass.PassResources.empty()
            .with(dev.cimc.ir.quant.calibrate.CalibrationData.class, calibration))
        .run(g);
  }

  /** Runs a textual pipeline such as {@code "canonicalize,dce"}. */
  public PassManager.Result optimize(Graph g, String pipeline) {
    return optimize(g, PassPipeline.parse(pipeline, passes), PassManager.Options.defaults());
  }

  public PassManager.Result optimize(Graph g, PassPipeline pipeline, PassManager.Options options) {
    return new PassManager(pipeline, options, ops).run(g);
  }

  /** Runs a graph in the reference interpreter; outputs by value name. */
  public Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
    return Interpreter.runOnce(g, inputs);
  }
}
