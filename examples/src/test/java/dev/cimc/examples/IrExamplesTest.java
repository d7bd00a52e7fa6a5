package dev.cimc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.compiler.Cimc;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example under examples/ir loads, verifies, runs, optimizes at every level and still computes the same. */
class IrExamplesTest {
  static Stream<Path> examples() throws IOException {
    Path dir = Path.of("ir").toAbsolutePath();
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".cir")).sorted().toList();
      assertFalse(files.isEmpty(), "no examples in " + dir);
      return files.stream();
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void loadsRunsAndOptimizesToTheSameResult(Path file) {
    var cimc = Cimc.standard();
    Graph g = cimc.load(file);
    String stem = file.getFileName().toString().replace(".cir", "");
    Map<String, Tensor> in = NpzFormat.read(file.resolveSibling(stem + ".input.npz"));
    Map<String, Tensor> before = cimc.run(g, in);
    // print and parse back with the blobs: the same text
    var printed = IrPrinter.print(g);
    Graph back = IrParser.parse(printed.text(), file.toString(), cimc.ops(), printed.blobs());
    assertEquals(printed.text(), IrPrinter.print(back).text());
    for (OptLevel level : OptLevel.values()) {
      Graph opt = g.copy();
      cimc.optimize(opt, level);
      Verifier.check(opt);
      Map<String, Tensor> after = cimc.run(opt, in);
      assertEquals(before.keySet(), after.keySet());
      for (String k : before.keySet()) {
        float[] a = before.get(k).floats();
        float[] b = after.get(k).floats();
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
          assertTrue(Math.abs(a[i] - b[i]) <= 1e-5 * Math.max(1, Math.abs(a[i])),
              file + " " + level + " " + k + "[" + i + "]: " + a[i] + " vs " + b[i]);
        }
      }
    }
  }
}
