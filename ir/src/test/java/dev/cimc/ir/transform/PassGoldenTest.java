package dev.cimc.ir.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden pass tests, as MLIR's {@code mlir/test/Transforms}: each {@code transform/<case>.cir} starts with
 * {@code // pipeline: <pipeline text>} (a level such as O2 means its graph-level part, before quantize); the
 * input is parsed, the pipeline runs (verifying after each pass),
 * and the printed result (constants inline up to 256 elements) must equal {@code <case>.expected.cir} byte
 * for byte. The interpreter must also give the same outputs before and after (max relative error 1e-5)
 * unless the file says {@code // numeric: approximate}. Run with {@code -Dcimc.updateGolden=true} to
 * rewrite the expected files (then read the diff).
 */
class PassGoldenTest {
  private static final String PIPELINE = "// pipeline:";

  static Path dir() {
    try {
      return Paths.get(PassGoldenTest.class.getResource("/transform").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCaseMatchesItsExpectedOutput() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(dir())) {
      cases = s.filter(p -> p.toString().endsWith(".cir") && !p.toString().endsWith(".expected.cir")).sorted().toList();
    }
    assertTrue(cases.size() >= 10, "golden cases found: " + cases.size());
    return cases.stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(p)));
  }

  private static void check(Path input) throws IOException {
    String text = Files.readString(input, StandardCharsets.UTF_8);
    String first = text.lines().findFirst().orElse("");
    assertTrue(first.startsWith(PIPELINE), input + " must start with '" + PIPELINE + "'");
    String pipeline = first.substring(PIPELINE.length()).strip();
    Graph g = IrParser.parse(text, input.getFileName().toString(), TransformTesting.OPS, Map.of());
    Graph original = g.copy();
    new PassManager(Pipelines.graphLevel(Pipelines.resolve(pipeline, PassRegistry.standard())), PassManager.Options.defaults(),
        TransformTesting.OPS).run(g);
    String actual = IrPrinter.toText(g, PrintOptions.defaults().withInlineLimit(256));
    String name = input.getFileName().toString();
    Path expectedFile = input.resolveSibling(name.substring(0, name.length() - 4) + ".expected.cir");
    if (Boolean.getBoolean("cimc.updateGolden")) {
      Path source = Paths.get("src/test/resources/transform").resolve(expectedFile.getFileName());
      Files.writeString(source, actual, StandardCharsets.UTF_8);
    } else {
      assertTrue(Files.exists(expectedFile), "missing " + expectedFile.getFileName());
      assertEquals(Files.readString(expectedFile, StandardCharsets.UTF_8), actual);
    }
    // the expected output is itself valid IR
    IrParser.parse(actual, "expected.cir", TransformTesting.OPS, Map.of());
    if (!text.contains("// numeric: approximate")) {
      Numerics.assertEquivalent(original, g, 1e-5, 3);
    }
  }
}
