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
 *       fusion into hardware units, and a last canonicalize; quantization with default settings joins
 *       here when the quantization passes exist;
 *   <li>O3: O2 for now; AdaRound, bias correction and per-layer bit-width search join it later.
 * </ul>
 */
public final class Pipelines {
  private Pipelines() {}

  /** The pass list of a level, as pipeline text with default options ({@code ""} for O0). */
  public static String text(OptLevel level) {
    return switch (level) {
      case O0 -> "";
      case O1 -> "canonicalize,fold-constants,dce,fold-batch-norm,canonicalize";
      case O2 -> text(OptLevel.O1) + ",cross-layer-equalization,bias-absorption,fuse,canonicalize";
      case O3 -> text(OptLevel.O2);
    };
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
