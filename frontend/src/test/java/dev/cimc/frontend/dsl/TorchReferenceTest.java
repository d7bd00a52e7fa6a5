package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DSL's layers compute what PyTorch computes: small models in {@code resources/dsl/torch/reference.cim}
 * load the weights of their PyTorch twins by state-dict name ({@code make_fixtures.py}) and reproduce
 * PyTorch's outputs (convolutions with stride, padding, dilation and groups, batch norm, pooling with ceil
 * mode, relu6, hard-swish, multi-head attention, layer norm, GELU, linear on 2-D and 3-D inputs).
 */
class TorchReferenceTest {
  private static final Path DIR = Path.of("src/test/resources/dsl/torch");

  @ParameterizedTest
  @ValueSource(strings = {"cnn", "transformer"})
  void reproducesPyTorch(String model) {
    DslModel m = DslFrontend.load(DIR.resolve("reference.cim"), model);
    assertEquals(List.of(), m.warnings());
    Map<String, Tensor> io = NpzFormat.read(DIR.resolve(model + "_io.npz"));
    Tensor want = io.get("y");
    Tensor got = Interpreter.runOnce(m.graph(), Map.of(m.graph().input(0).name(), io.get("x")))
        .values().iterator().next();
    assertArrayEquals(want.shape().dims(), got.shape().dims());
    float[] a = got.floats();
    float[] b = want.floats();
    for (int i = 0; i < a.length; i++) {
      assertTrue(Math.abs(a[i] - b[i]) <= 1e-5 + 1e-4 * Math.abs(b[i]), model + "[" + i + "]: " + a[i] + " vs " + b[i]);
    }
  }
}
