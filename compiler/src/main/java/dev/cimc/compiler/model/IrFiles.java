package dev.cimc.compiler.model;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.io.AtomicFile;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads and writes {@code .cir} text IR files with their side file of large constants:
 * {@code model.cir} keeps its blobs in {@code model.weights.npz} next to it, so the pair is complete and
 * the blobs open in NumPy.
 */
public final class IrFiles {
  private IrFiles() {}

  /** The side file that holds the blobs of {@code cir}: {@code name.cir} → {@code name.weights.npz}. */
  public static Path sideFile(Path cir) {
    String name = cir.getFileName().toString();
    String stem = name.endsWith(".cir") ? name.substring(0, name.length() - 4) : name;
    return cir.resolveSibling(stem + ".weights.npz");
  }

  /** Reads a {@code .cir} file (and its side file, if present), parses and verifies it. */
  public static Graph read(Path file, OpRegistry registry) {
    String text = readUtf8(file);
    Path side = sideFile(file);
    Map<String, Tensor> blobs = Files.isRegularFile(side) ? NpzFormat.read(side) : Map.of();
    return IrParser.parse(text, file.toString(), registry, blobs);
  }

  /**
   * Writes a graph to {@code file} and its large constants to the side file, each atomically. A stale side
   * file from an earlier write is removed when the graph has no blobs, so the pair always matches.
   */
  public static void write(Graph g, Path file) {
    IrPrinter.Printed p = IrPrinter.print(g, PrintOptions.defaults());
    Path side = sideFile(file);
    if (!p.blobs().isEmpty()) {
      NpzFormat.write(side, p.blobs());
    } else {
      try {
        Files.deleteIfExists(side);
      } catch (IOException e) {
        throw new CimcException(Location.file(side.toString()), "cannot remove stale side file: "
            + AtomicFile.describe(e), null);
      }
    }
    byte[] bytes = p.text().getBytes(StandardCharsets.UTF_8);
    AtomicFile.write(file, out -> out.write(bytes));
  }

  /** Reads a text file as strict UTF-8, with clear errors for missing, unreadable or binary files. */
  public static String readUtf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CimcException(Location.file(file.toString()), "no such file", null);
    } catch (IOException e) {
      throw new CimcException(Location.file(file.toString()), "cannot read: " + AtomicFile.describe(e), null);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CimcException(Location.file(file.toString()), "not a UTF-8 text file",
          "a .cir file is text; is this a binary file?");
    }
  }
}
