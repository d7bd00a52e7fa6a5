package dev.cimc.compiler.cli;

import dev.cimc.compiler.model.IrFiles;
import dev.cimc.frontend.dsl.DslFormatter;
import dev.cimc.ir.io.AtomicFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code cimc fmt FILE.cim...}: prints (or rewrites) DSL files in the canonical layout, comments kept. */
@Command(name = "fmt", mixinStandardHelpOptions = true,
    description = {"Format .cim files in the canonical layout (idempotent; comments are kept).",
        "Prints the result, or with -i rewrites the files, or with --check lists the files that would change."})
final class FmtCommand implements Callable<Integer> {
  @ParentCommand
  CimcCli root;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "The .cim files.")
  List<Path> files;

  @Option(names = {"-i", "--in-place"}, description = "Rewrite the files (atomically) instead of printing.")
  boolean inPlace;

  @Option(names = "--check", description = "Print the files that are not formatted; exit 1 if there are any.")
  boolean check;

  @Override
  public Integer call() {
    if (inPlace && check) {
      throw new UsageException("-i and --check exclude each other", null);
    }
    int unformatted = 0;
    for (Path f : files) {
      String source = IrFiles.readUtf8(f);
      String formatted = DslFormatter.format(source, f.toString());
      if (check) {
        if (!formatted.equals(source)) {
          root.out.println(f);
          unformatted++;
        }
      } else if (inPlace) {
        if (!formatted.equals(source)) {
          byte[] bytes = formatted.getBytes(StandardCharsets.UTF_8);
          AtomicFile.write(f, out -> out.write(bytes));
        }
      } else {
        root.out.print(formatted);
      }
    }
    return unformatted == 0 ? ExitCode.OK : ExitCode.USER_ERROR;
  }
}
