package dev.cimc.ir.pass;

/**
 * The preset pipeline of each {@link OptLevel}, declared as pipeline text (as LLVM's {@code default<O2>}).
 * A level extends the one below it; a new pass joins a level by adding its name here.
 */
public final class Pipelines {
  private Pipelines() {}

  /** The pass list of a level, as pipeline text with default options ({@code ""} for O0). */
  public static String text(OptLevel level) {
    return switch (level) {
      case O0 -> "";
      case O1 -> "canonicalize,fold-constants,dce";
      case O2 -> text(OptLevel.O1);
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
