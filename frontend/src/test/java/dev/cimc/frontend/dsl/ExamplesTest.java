package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.analysis.ModelCost;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every model in {@code examples/dsl}: it parses, checks without warnings, lowers, verifies and runs in
 * the reference interpreter on random inputs; {@code cimc fmt} leaves it as it is; ResNet-18 and
 * MobileNetV2 have exactly torchvision's parameter and MAC counts.
 */
class ExamplesTest {
  /** The examples folder, found by walking up from the module to the repository root. */
  static Path examples() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples/dsl"))) {
      dir = dir.getParent();
    }
    assertTrue(dir != null, "examples/dsl not found above " + Path.of("").toAbsolutePath());
    return dir.resolve("examples/dsl");
  }

  static List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(examples())) {
      return s.filter(p -> p.toString().endsWith(".cim")).sorted().toList();
    }
  }

  @Test
  void theIssueExamplesAreThere() throws IOException {
    var names = files().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.containsAll(List.of("lenet5.cim", "resnet18.cim", "mobilenetv2.cim",
        "transformer_encoder.cim", "kws_dscnn.cim")), names.toString());
  }

  @TestFactory
  Stream<DynamicTest> everyModelLowersVerifiesAndRuns() throws IOException {
    return files().stream().filter(ExamplesTest::declaresModel).map(file -> DynamicTest.dynamicTest(
        file.getFileName().toString(), () -> {
          DslModel m = DslFrontend.load(file);
          assertEquals(List.of(), m.warnings(), "warnings");
          assertEquals(List.of(), Verifier.verify(m.graph()));
          Map<String, Tensor> out;
          try (Interpreter interp = Interpreter.create()) {
            out = interp.run(m.graph(), randomInputs(m, 1));
          }
          assertEquals(m.graph().outputs().size(), out.size());
          for (Value v : m.graph().outputs()) {
            Tensor t = out.get(v.name());
            assertEquals(v.type(), t.type());
            for (float f : t.floats()) {
              assertTrue(Float.isFinite(f), v.name() + " has a non-finite value");
            }
          }
        }));
  }

  private static boolean declaresModel(Path file) {
    try {
      return Files.readString(file).lines().anyMatch(l -> l.startsWith("model "));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Map<String, Tensor> randomInputs(DslModel m, long seed) {
    var random = new SplittableRandom(seed);
    var inputs = new LinkedHashMap<String, Tensor>();
    for (Value in : m.graph().inputs()) {
      TensorType t = in.type();
      float[] data = new float[(int) t.numel()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (random.nextDouble() * 2 - 1);
      }
      inputs.put(in.name(), Tensor.wrap(t, data));
    }
    return inputs;
  }

  @TestFactory
  Stream<DynamicTest> formattingLeavesEveryExampleUnchanged() throws IOException {
    return files().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
      String src = Files.readString(file);
      String once = DslFormatter.format(src, file.toString());
      assertEquals(src, once, "the example is not in canonical layout");
      assertEquals(once, DslFormatter.format(once, file.toString()));
    }));
  }

  @Test
  void resnet18HasTorchvisionsParameterAndMacCounts() {
    ModelCost cost = ModelCost.of(DslFrontend.load(examples().resolve("resnet18.cim")).graph());
    assertEquals(11_689_512L, cost.parameters());
    assertEquals(1_814_073_344L, cost.macs());
    assertTrue(cost.exact());
  }

  @Test
  void mobilenetV2HasTorchvisionsParameterAndMacCounts() {
    ModelCost cost = ModelCost.of(DslFrontend.load(examples().resolve("mobilenetv2.cim")).graph());
    assertEquals(3_504_872L, cost.parameters());
    assertEquals(300_774_272L, cost.macs());
  }

  @Test
  void initializedWeightsAreTheSameBytesOnEveryLoad() {
    Path file = examples().resolve("kws_dscnn.cim");
    var a = DslFrontend.load(file).graph();
    var b = DslFrontend.load(file).graph();
    var na = a.nodes();
    var nb = b.nodes();
    assertEquals(na.size(), nb.size());
    for (int i = 0; i < na.size(); i++) {
      if (na.get(i).op().fullName().equals("const")) {
        Tensor ta = ((dev.cimc.ir.attr.Attribute.TensorAttr) na.get(i).attr("value")).value();
        Tensor tb = ((dev.cimc.ir.attr.Attribute.TensorAttr) nb.get(i).attr("value")).value();
        assertArrayEquals(ta.floats(), tb.floats(), na.get(i).result().name());
      }
    }
  }
}
