package dev.cimc.compiler.cli;

import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;

/** Chooses the pass pipeline from {@code -O} and {@code --passes}: an explicit pipeline wins. */
final class CompileSettings {
  private CompileSettings() {}

  static PassPipeline pipeline(String optLevel, String passes, PassRegistry registry) {
    if (passes != null) {
      return PassPipeline.parse("--passes", passes, registry);
    }
    OptLevel level = OptLevel.fromText("O" + optLevel).orElseThrow(() -> new UsageException(
        "unknown optimization level '-O" + optLevel + "'", "use -O0, -O1, -O2 or -O3"));
    return Pipelines.forLevel(level, registry);
  }
}
