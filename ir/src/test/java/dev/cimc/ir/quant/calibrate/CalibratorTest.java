package dev.cimc.ir.quant.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest {
  @TempDir
  Path dir;

  /** y = relu(x) · 2 + b. */
  private static Graph twoInputs() {
    var b = new GraphBuilder("g", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 3));
    Value bias = b.input("b", TensorType.f32(1, 3));
    Value two = b.constant("two", Tensor.ofFloats(new int[] {1}, 2f));
    Value r = b.named("r", "graph.relu", Attributes.of(), x);
    Value m = b.named("m", "graph.mul", Attributes.of(), r, two);
    b.output(b.named("y", "graph.add", Attributes.of(), m, bias));
    return b.build();
  }

  private static Calibrator.Settings minMax(int threads) {
    return Calibrator.Settings.defaults().withObservers(ObserverSpec.of(RangeMethod.MIN_MAX)).withThreads(threads);
  }

  private static Tensor row(float... v) {
    return Tensor.ofFloats(new int[] {1, 3}, v);
  }

  @Test
  void minMaxOverNpzSamplesByInputName() {
    TensorFiles.write(dir.resolve("s0.npz"), Map.of("x", row(-1, 2, 3), "b", row(0, 0, 1)));
    TensorFiles.write(dir.resolve("s1.npz"), Map.of("b", row(5, 0, 0), "x", row(4, -6, 0)));
    Graph g = twoInputs();
    var progress = new ArrayList<String>();
    CalibrationResult r = Calibrator.calibrate(g, CalibrationData.directory(dir, g), minMax(1),
        (done, total) -> progress.add(done + "/" + total));
    assertEquals(List.of("1/2", "2/2"), progress);
    assertEquals(List.of("x", "b", "r", "m", "y"), List.copyOf(r.ranges().keySet())); // graph order, no constants
    assertEquals(ValueRange.perTensor(-6, 4), r.range("x"));
    assertEquals(ValueRange.perTensor(0, 4), r.range("r"));
    assertEquals(ValueRange.perTensor(0, 8), r.range("m"));
    // y = [-2+0, 4+0, 6+1] and [8+5, 0, 0]
    assertEquals(ValueRange.perTensor(0, 13), r.range("y"));
    assertEquals(2, r.samples());
    assertEquals(List.of(), r.warnings());
  }

  @Test
  void sampleDirectoriesOfNpyInInputOrder() throws Exception {
    Path s0 = Files.createDirectories(dir.resolve("s0"));
    TensorFiles.write(s0.resolve("0.npy"), Map.of("0", row(1, 2, 3)));
    TensorFiles.write(s0.resolve("1.npy"), Map.of("1", row(-1, -1, -1)));
    Graph g = twoInputs();
    CalibrationResult r = Calibrator.calibrate(g, CalibrationData.directory(dir, g), minMax(1), Calibrator.Progress.NONE);
    assertEquals(ValueRange.perTensor(1, 3), r.range("x"));
    assertEquals(ValueRange.perTensor(-1, -1), r.range("b"));
  }

  @Test
  void npyPerSampleForASingleInput() {
    var b = new GraphBuilder("one", Dialects.standard());
    b.output(b.named("r", "graph.relu", Attributes.of(), b.input("x", TensorType.f32(1, 3))));
    Graph g = b.build();
    TensorFiles.write(dir.resolve("a.npy"), Map.of("a", row(-3, 1, 2)));
    TensorFiles.write(dir.resolve("b.npy"), Map.of("b", row(0, 7, 2)));
    CalibrationResult r = Calibrator.calibrate(g, CalibrationData.directory(dir, g), minMax(1), Calibrator.Progress.NONE);
    assertEquals(ValueRange.perTensor(-3, 7), r.range("x"));
    assertEquals(ValueRange.perTensor(0, 7), r.range("r"));
  }

  @Test
  void errorsNameTheFile() {
    Graph g = twoInputs();
    TensorFiles.write(dir.resolve("s0.npz"), Map.of("x", row(1, 2, 3)));
    var e = assertThrows(CimcException.class, () ->
        Calibrator.calibrate(g, CalibrationData.directory(dir, g), minMax(1), Calibrator.Progress.NONE));
    assertEquals(dir.resolve("s0.npz") + ": error: sample lacks input b\nhint: the archive holds: x", e.render());
    TensorFiles.write(dir.resolve("s1.npy"), Map.of("s1", row(1, 2, 3)));
    var e2 = assertThrows(CimcException.class, () -> CalibrationData.directory(dir, g).sample(1));
    assertEquals(dir.resolve("s1.npy") + ": error: a .npy sample holds one array, the graph takes 2 inputs (x, b)\n"
        + "hint: use one .npz per sample with arrays named like the inputs", e2.render());
    Path empty = dir.resolve("empty");
    assertThrows(CimcException.class, () -> CalibrationData.directory(empty, g));
  }

  @Test
  void randomSamplesWarnAndAreDeterministic() {
    Graph g = twoInputs();
    var data = CalibrationData.random(g, 8, 3);
    assertEquals(List.of("calibrating on 8 random samples (standard normal inputs): activation ranges will not match"
        + " real data; give a directory of .npy/.npz samples for meaningful ranges"), data.warnings());
    CalibrationResult a = Calibrator.calibrate(g, data, minMax(1), Calibrator.Progress.NONE);
    CalibrationResult b = Calibrator.calibrate(g, CalibrationData.random(g, 8, 3), minMax(3), Calibrator.Progress.NONE);
    assertEquals(a.ranges(), b.ranges());
    assertEquals(data.warnings(), a.warnings());
    assertTrue(a.range("x").min(0) < 0 && a.range("x").max(0) > 0);
  }

  @Test
  void logitsGetCrossEntropy() {
    var b = new GraphBuilder("cls", Dialects.standard());
    Value x = b.input("x", TensorType.f32(2, 4));
    Value w = b.constant("w", Tensor.ofFloats(new int[] {3, 4}, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1));
    b.output(b.named("logits", "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), x, w));
    Graph g = b.build();
    CalibrationResult r = Calibrator.calibrate(g, CalibrationData.random(g, 4, 0), minMax(2), Calibrator.Progress.NONE);
    assertEquals(RangeMethod.CROSS_ENTROPY, r.methods().get("logits"));
    assertEquals(RangeMethod.MIN_MAX, r.methods().get("x"));
  }

  @Test
  void everyMethodRunsOnResNet18At32() {
    Graph g = CalibrationBenchmark.resnet18(1, 32);
    for (RangeMethod m : new RangeMethod[] {RangeMethod.MIN_MAX, RangeMethod.KL}) {
      CalibrationResult r = Calibrator.calibrate(g, CalibrationData.random(g, 2, 0),
          minMax(2).withObservers(ObserverSpec.of(m)), Calibrator.Progress.NONE);
      assertEquals(RangeMethod.CROSS_ENTROPY, r.methods().get("logits"));
      ValueRange logits = r.range("logits");
      assertTrue(logits.max(0) > logits.min(0), logits.toString());
    }
  }
}
