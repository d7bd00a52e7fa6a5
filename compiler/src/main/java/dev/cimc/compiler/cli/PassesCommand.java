package dev.cimc.compiler.cli;

import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code cimc passes [--pipeline=O2]}: lists the passes, or prints the pipeline a level expands to. */
@Command(name = "passes", mixinStandardHelpOptions = true,
    description = {"List every pass with its summary, options and statistics,",
        "or print the exact textual pipeline of an -O level (paste it into --passes)."})
final class PassesCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Option(names = "--pipeline", paramLabel = "LEVEL",
      description = "O0, O1, O2 or O3 (or a pipeline text to normalize).")
  String pipeline;

  @Override
  public Integer call() {
    PassRegistry registry = PassRegistry.standard();
    if (pipeline != null) {
      root.out.println(Pipelines.resolve(pipeline, registry));
    } else {
      root.out.print(registry.listing());
    }
    return ExitCode.OK;
  }
}
