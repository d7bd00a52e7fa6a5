package dev.cimc.ir.pass;

import dev.cimc.ir.graph.Graph;
import java.util.List;

/**
 * Hooks the {@link PassManager} calls around each pass (as MLIR's {@code PassInstrumentation}). Before-hooks
 * run in registration order, after-hooks (after-pass, after-failure, after-pipeline) in reverse order, so
 * instrumentations nest. An instance may keep
 * state for one pipeline run; the manager makes its built-in ones afresh for every run.
 */
public interface PassInstrumentation {
  /** Before the first pass (and before the input is verified). */
  default void runBeforePipeline(Graph graph, PassPipeline pipeline) {}

  /** Right before {@code pass}, at {@code index} (from 0) in the pipeline, runs. */
  default void runBeforePass(Pass pass, int index, Graph graph) {}

  /** After a pass succeeded and (with verify-each) its output verified. */
  default void runAfterPass(PassRun run, Graph graph) {}

  /**
   * After a pass failed: it threw, or its output did not verify. {@code failure} is what the manager is
   * about to throw (a {@link PassException}, or an {@link IllegalStateException} for an internal error).
   */
  default void runAfterPassFailed(Pass pass, int index, Graph graph, RuntimeException failure) {}

  /** After the last pass of a pipeline that succeeded. */
  default void runAfterPipeline(Graph graph, List<PassRun> runs) {}
}
