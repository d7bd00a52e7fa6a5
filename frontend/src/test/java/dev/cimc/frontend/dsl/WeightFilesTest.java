package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weights "file.npz"}: entries matched by layer name, shape-checked, combined with {@code init}. */
class WeightFilesTest {
  @TempDir
  Path dir;

  private static final String MODEL = """
      model net(x: f32[1, 2, 4, 4]) {
        %s
        y = x |> conv2d(3, kernel=3, pad=1) as conv |> batch_norm as bn |> relu
        return y |> global_avg_pool |> flatten |> linear(2, bias=false) as fc
      }
      """;

  private static Tensor ramp(int... dims) {
    var t = TensorType.f32(dims);
    float[] v = new float[(int) t.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (i % 7) * 0.25f - 0.5f;
    }
    return Tensor.wrap(t, v);
  }

  private Map<String, Tensor> fullFile() {
    var m = new LinkedHashMap<String, Tensor>();
    m.put("conv.weight", ramp(3, 2, 3, 3));
    m.put("conv.bias", ramp(3));
    m.put("bn.weight", Tensor.ofFloats(new int[] {3}, 1f, 2f, 3f));
    m.put("bn.bias", ramp(3));
    m.put("bn.running_mean", ramp(3));
    m.put("bn.running_var", Tensor.ofFloats(new int[] {3}, 1f, 0.5f, 2f));
    m.put("bn.num_batches_tracked", Tensor.ofLongs(new int[0], 10));
    m.put("fc.weight", ramp(2, 3));
    return m;
  }

  private Path write(String statements, Map<String, Tensor> weights) throws Exception {
    NpzFormat.write(dir.resolve("net.npz"), weights);
    Path cim = dir.resolve("net.cim");
    Files.writeString(cim, String.format(MODEL, statements));
    return cim;
  }

  private static Tensor constant(Graph g, String name) {
    return ((Attribute.TensorAttr) g.value(name).producer().attr("value")).value();
  }

  @Test
  void entriesLoadByLayerName() throws Exception {
    var file = fullFile();
    DslModel m = DslFrontend.load(write("weights \"net.npz\"", file));
    assertEquals(java.util.List.of(), m.warnings());
    for (String name : java.util.List.of("conv.weight", "conv.bias", "bn.weight", "bn.running_var", "fc.weight")) {
      assertArrayEquals(file.get(name).floats(), constant(m.graph(), name).floats(), name);
    }
    Interpreter.runOnce(m.graph(), Map.of("x", ramp(1, 2, 4, 4)));
  }

  @Test
  void doubleArraysAreConvertedToF32() throws Exception {
    var file = fullFile();
    double[] d = {0.5, -1.5, 2.25, 4.0, -0.125, 3.0};
    file.put("fc.weight", Tensor.fromDoubles(TensorType.of(ElementType.F64, 2, 3), d));
    DslModel m = DslFrontend.load(write("weights \"net.npz\"", file));
    assertArrayEquals(new float[] {0.5f, -1.5f, 2.25f, 4f, -0.125f, 3f}, constant(m.graph(), "fc.weight").floats());
  }

  @Test
  void aShapeMismatchIsReportedAtTheLayer() throws Exception {
    var file = fullFile();
    file.put("conv.weight", ramp(3, 2, 5, 5));
    DslException e = assertThrows(DslException.class, () -> DslFrontend.load(write("weights \"net.npz\"", file)));
    assertEquals(dir.resolve("net.cim") + ":3:12: error: `conv.weight` in `net.npz` has shape [3, 2, 5, 5], but the"
        + " layer needs [3, 2, 3, 3]\n"
        + "  y = x |> conv2d(3, kernel=3, pad=1) as conv |> batch_norm as bn |> relu\n"
        + "           ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~", e.render());
  }

  @Test
  void aMissingEntryWithoutInitIsAnErrorWithASuggestion() throws Exception {
    var file = fullFile();
    file.put("fc.weights", file.remove("fc.weight"));
    DslException e = assertThrows(DslException.class, () -> DslFrontend.load(write("weights \"net.npz\"", file)));
    assertEquals("`net.npz` has no entry `fc.weight`", e.getMessage());
    assertEquals("did you mean `fc.weights`? (layers are named with `as`)", e.hint());
  }

  @Test
  void initFillsWhatTheFileLacksAndUnusedEntriesAreWarnings() throws Exception {
    var file = fullFile();
    file.remove("fc.weight");
    file.put("head.weight", ramp(2, 3));
    DslModel m = DslFrontend.load(write("weights \"net.npz\"\n  init ones", file));
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, constant(m.graph(), "fc.weight").floats());
    assertEquals(1, m.warnings().size());
    assertEquals("`net.npz` has entries no layer uses: head.weight", m.warnings().get(0).message());
  }

  @Test
  void integerArraysAreRejected() throws Exception {
    var file = fullFile();
    file.put("conv.bias", Tensor.ofLongs(new int[] {3}, 1, 2, 3));
    DslException e = assertThrows(DslException.class, () -> DslFrontend.load(write("weights \"net.npz\"", file)));
    assertEquals("`conv.bias` in `net.npz` holds i64 values, but weights must be floats", e.getMessage());
  }
}
