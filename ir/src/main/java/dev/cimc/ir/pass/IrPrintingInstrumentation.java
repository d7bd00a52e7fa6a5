package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;

/**
 * The print-ir-* and dump-ir-dir instrumentation: IR dumps with MLIR's headers
 * ({@code // -----// IR Dump After DeadCodeElimination (dce) //----- //}) to a stream, or one numbered
 * file per dump in a directory.
 */
final class IrPrintingInstrumentation implements PassInstrumentation {
  private final PassManager.Options options;
  private final boolean afterAll;
  private final int width;
  private byte[] fingerprintBefore;

  IrPrintingInstrumentation(PassManager.Options options, int pipelineSize) {
    this.options = options;
    boolean anySelection = !options.printIrBefore().isEmpty() || !options.printIrAfter().isEmpty()
        || options.printIrBeforeAll() || options.printIrAfterAll() || options.printIrAfterChange()
        || options.printIrAfterFailure();
    // A dump directory alone means: keep the IR after every pass.
    this.afterAll = options.printIrAfterAll() || (options.dumpIrDir() != null && !anySelection);
    this.width = Math.max(2, Integer.toString(pipelineSize).length());
  }

  private boolean printsBefore(Pass p) {
    return options.printIrBeforeAll() || options.printIrBefore().contains(p.name());
  }

  private boolean printsAfter(Pass p) {
    boolean anyAfter = afterAll || !options.printIrAfter().isEmpty();
    return afterAll || options.printIrAfter().contains(p.name()) || (!anyAfter && options.printIrAfterChange());
  }

  @Override
  public void runBeforePipeline(Graph graph, PassPipeline pipeline) {
    Path dir = options.dumpIrDir();
    if (dir != null) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new CimcException("cannot create the IR dump directory " + dir + ": " + e.getMessage(), null);
      }
      write("0".repeat(width) + "-input.cir", graph);
    }
  }

  @Override
  public void runBeforePass(Pass pass, int index, Graph graph) {
    if (printsBefore(pass)) {
      dump(graph, pass, index, "Before", "");
    }
    fingerprintBefore = options.printIrAfterChange() && printsAfter(pass) ? fingerprint(graph) : null;
  }

  @Override
  public void runAfterPass(PassRun run, Graph graph) {
    if (!printsAfter(run.pass())) {
      return;
    }
    if (fingerprintBefore != null && Arrays.equals(fingerprintBefore, fingerprint(graph))) {
      return;
    }
    dump(graph, run.pass(), run.index(), "After", "");
  }

  @Override
  public void runAfterPassFailed(Pass pass, int index, Graph graph, RuntimeException failure) {
    if (options.printIrAfterFailure()) {
      dump(graph, pass, index, "After", " Failed");
    }
  }

  private void dump(Graph graph, Pass pass, int index, String when, String failed) {
    if (options.dumpIrDir() != null) {
      String number = String.format(java.util.Locale.ROOT, "%0" + width + "d", index + 1);
      String suffix = failed.isEmpty() ? "" : "-failed";
      write(number + "-" + when.toLowerCase(java.util.Locale.ROOT) + "-" + pass.name() + suffix + ".cir", graph);
      return;
    }
    var sb = new StringBuilder();
    sb.append("// -----// IR Dump ").append(when).append(' ').append(pass.displayName()).append(" (")
        .append(pass.name()).append(')').append(failed).append(" //----- //\n");
    sb.append(IrPrinter.toText(graph, options.printOptions())).append('\n');
    options.out().print(sb);
    options.out().flush();
  }

  /** Writes a dump file through a temporary file and a rename, so no half-written dump is left. */
  private void write(String fileName, Graph graph) {
    Path target = options.dumpIrDir().resolve(fileName);
    try {
      Path tmp = Files.createTempFile(options.dumpIrDir(), "." + fileName, ".tmp");
      try {
        Files.writeString(tmp, IrPrinter.toText(graph, options.printOptions()), StandardCharsets.UTF_8);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CimcException("cannot write the IR dump " + target + ": " + e.getMessage(), null);
    }
  }

  /** A digest of everything the printer shows, blob contents included, to tell whether a pass changed the IR. */
  static byte[] fingerprint(Graph graph) {
    IrPrinter.Printed printed = IrPrinter.print(graph, PrintOptions.defaults().withLocations(true));
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    md.update(printed.text().getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, Tensor> blob : printed.blobs().entrySet()) {
      md.update(blob.getKey().getBytes(StandardCharsets.UTF_8));
      int h = blob.getValue().contentHash();
      md.update(new byte[] {(byte) (h >>> 24), (byte) (h >>> 16), (byte) (h >>> 8), (byte) h});
    }
    return md.digest();
  }
}
