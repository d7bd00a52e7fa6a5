package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.IrFiles;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code cimc opt FILE.cir... --passes=PIPELINE}: runs passes on text IR, like mlir-opt. */
@Command(name = "opt", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a pass pipeline on .cir files and print (or write) the result, like mlir-opt.",
        "With several files, each is processed in turn; --dump-ir-dir then gets one subfolder per file."})
final class OptCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "The .cir files.")
  List<Path> files;

  @Option(names = "--passes", paramLabel = "PIPELINE", defaultValue = "",
      description = "The pass pipeline, e.g. 'canonicalize,fold-constants{max-elements=1024},dce' (default: none, "
          + "just parse, verify and print).")
  String passes;

  @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Write the result here (one input only).")
  Path output;

  @Mixin
  InstrumentationOptions instrumentation;

  @Override
  public Integer call() {
    if (output != null && files.size() > 1) {
      throw new UsageException("-o takes one input file, got " + files.size(),
          "run opt once per file, or print to stdout");
    }
    var registry = Dialects.standard();
    PassRegistry passRegistry = PassRegistry.standard();
    PassPipeline pipeline = passes.isBlank() ? PassPipeline.empty()
        : PassPipeline.parse("--passes", passes, passRegistry);
    for (Path file : files) {
      Path dumpDir = instrumentation.dumpIrDir;
      if (dumpDir != null && files.size() > 1) {
        String name = file.getFileName().toString();
        dumpDir = dumpDir.resolve(name.endsWith(".cir") ? name.substring(0, name.length() - 4) : name);
      }
      var options = instrumentation.toOptions(root.err, dumpDir);
      options.checkPassNames(passRegistry);
      Graph g = IrFiles.read(file, registry);
      new PassManager(pipeline, options, registry).run(g);
      CimcCli.emitGraph(g, output, instrumentation, root.out);
    }
    return ExitCode.OK;
  }
}
