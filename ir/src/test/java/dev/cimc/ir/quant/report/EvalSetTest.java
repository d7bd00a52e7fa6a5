package dev.cimc.ir.quant.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.npy.NpyFormat;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation data from stacked .npz rows (with labels) or a directory of samples, and its errors verbatim. */
class EvalSetTest {
  @TempDir
  Path tmp;

  static Graph net(int batch) {
    var b = new GraphBuilder("n", Dialects.standard());
    var x = b.input("x", TensorType.f32(batch, 3));
    b.output(b.named("y", "graph.relu", Attributes.EMPTY, x));
    return b.build();
  }

  static Tensor rows(int n) {
    float[] v = new float[n * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return Tensor.ofFloats(new int[] {n, 3}, v);
  }

  @Test
  void stackedRowsWithLabels() {
    Path f = tmp.resolve("e.npz");
    var m = new LinkedHashMap<String, Tensor>();
    m.put("images", rows(4));
    m.put("labels", Tensor.ofLongs(new int[] {4}, 2, 0, 1, 2));
    NpzFormat.write(f, m);
    EvalSet e = EvalSet.of(f, net(1), null, null);
    assertEquals(4, e.samples().size());
    assertArrayEquals(new float[] {6, 7, 8}, e.samples().sample(2).get("x").floats());
    assertArrayEquals(new long[] {2, 0, 1, 2}, e.labels());
    // a batch of two per sample
    EvalSet two = EvalSet.of(f, net(2), "images", "labels");
    assertEquals(2, two.samples().size());
    assertArrayEquals(new float[] {6, 7, 8, 9, 10, 11}, two.samples().sample(1).get("x").floats());
  }

  @Test
  void directoryOfSamplesHasNoLabels() {
    NpyFormat.write(tmp.resolve("a.npy"), rows(1));
    NpyFormat.write(tmp.resolve("b.npy"), rows(1));
    EvalSet e = EvalSet.of(tmp, net(1), null, null);
    assertEquals(2, e.samples().size());
    assertNull(e.labels());
  }

  @Test
  void errors() {
    Path f = tmp.resolve("e.npz");
    var m = new LinkedHashMap<String, Tensor>();
    m.put("eval_images", rows(4));
    m.put("calib_images", rows(2));
    m.put("eval_labels", Tensor.ofLongs(new int[] {4}, 2, 0, 1, 2));
    NpzFormat.write(f, m);
    assertEquals(f + ": error: no inputs array `eval_image` in the archive\nhint: did you mean `eval_images`?",
        render(() -> EvalSet.of(f, net(1), "eval_image", "eval_labels")));
    assertEquals(f + ": error: cannot tell which array holds the input `x`: the archive holds eval_images,"
        + " calib_images, eval_labels\nhint: name the inputs array", render(() -> EvalSet.of(f, net(1), null, null)));
    assertEquals(f + ": error: labels `eval_images` are f32, not integers\nhint: store class indices (e.g. int64)",
        render(() -> EvalSet.of(f, net(1), "calib_images", "eval_images")));
    assertEquals(f + ": error: array for input `x` has shape 4x3, expected rows of 3x3 stacked along axis 0",
        render(() -> EvalSet.of(f, net(3), "eval_images", null)));
    NpzFormat.write(tmp.resolve("w.npz"), Map.of("x", Tensor.ofFloats(new int[] {2, 4}, new float[8])));
    assertEquals(tmp.resolve("w.npz") + ": error: array for input `x` has shape 2x4, expected rows of 1x3 stacked"
        + " along axis 0", render(() -> EvalSet.of(tmp.resolve("w.npz"), net(1), null, null)));
    assertEquals(true, Files.exists(f));
  }

  private static String render(org.junit.jupiter.api.function.Executable e) {
    return assertThrows(CimcException.class, e).render();
  }
}
