package dev.cimc.ir.pass;

/**
 * The preset pipeline of each {@link OptLevel}, declared as pipeline text (as LLVM's {@code default<O2>}).
 * A level extends the one below it; a new pass joins a level by adding its name here.
 *
 * <ul>
 *   <li>O0: nothing (the pass manager only verifies);
 *   <li>O1: canonicalize (folders, patterns, shape folding, CSE), fold constants, dead code, fold batch
 *       norms, then canonicalize what folding exposed;
 *   <li>O2: O1, then the data-free quantization preparation (cross-layer equalization, bias absorption),
 *       fusion into hardware units, a last canonicalize, post-training quantization with default settings
 *       (min-max ranges; calibration samples come as a pass resource) and the lowering to integer ops;
 *   <li>O3: O2 with the expensive PTQ algorithms: MSE weight ranges, AdaRound, bias correction, and a
 *       per-layer weight bit-width search (the fewest bits, down to 4, keeping each layer's output SQNR ≥ 30 dB).
 * </ul>
 *
 * The graph level ends before {@link #QUANTIZE}: a driver emitting the float graph stops there
 * ({@link #graphLevel}).
 */
public final class Pipelines {
  private Pipelines() {}

  /** The pass list of a level, as pipeline text with default options ({@code ""} for O0). */
  public static String text(OptLevel level) {
    return switch (level) {
      case O0 -> "";
      case O1 -> "canonicalize,fold-constants,dce,fold-batch-norm,canonicalize";
      case O2 -> GRAPH_O2 + ",quantize,lower-to-integer";
      case O3 -> GRAPH_O2 + ",quantize{adaround=true bias-correction=true weight-range=mse bit-search-sqnr=30.0},"
          + "lower-to-integer";
    };
  }

  /** The pass that leaves the graph level. */
  public static final String QUANTIZE = "quantize";

  private static final String GRAPH_O2 = "canonicalize,fold-constants,dce,fold-batch-norm,canonicalize"
      + ",cross-layer-equalization,bias-absorption,fuse,canonicalize";

  /** The passes of {@code p} before the first {@code quantize}: what runs when the float graph is emitted. */
  public static PassPipeline graphLevel(PassPipeline p) {
    var keep = new java.util.ArrayList<Pass>();
    for (Pass pass : p.passes()) {
      if (pass.name().equals(QUANTIZE)) {
        break;
      }
      keep.add(pass);
    }
    return PassPipeline.of(keep);
  }

  /** The pipeline of a level, built from {@code registry}. */
  public static PassPipeline forLevel(OptLevel level, PassRegistry registry) {
    return PassPipeline.parse(level.name(), text(level), registry);
  }

  /** {@code O0}..{@code O3} names a preset; anything else is parsed as pipeline text. */
  public static PassPipeline resolve(String levelOrPipeline, PassRegistry registry) {
    var level = OptLevel.fromText(levelOrPipeline.strip());
    return level.isPresent() ? forLevel(level.get(), registry) : PassPipeline.parse(levelOrPipeline, registry);
  }
}
