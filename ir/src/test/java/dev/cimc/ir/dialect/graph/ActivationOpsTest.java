package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.OpHarness.assertClose;
import static dev.cimc.ir.dialect.graph.OpHarness.assertFloats;
import static dev.cimc.ir.dialect.graph.OpHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.OpHarness.dims;
import static dev.cimc.ir.dialect.graph.OpHarness.error;
import static dev.cimc.ir.dialect.graph.OpHarness.f32;
import static dev.cimc.ir.dialect.graph.OpHarness.fold;
import static dev.cimc.ir.dialect.graph.OpHarness.ints;
import static dev.cimc.ir.dialect.graph.OpHarness.run;
import static dev.cimc.ir.dialect.graph.OpHarness.scalar;
import static dev.cimc.ir.dialect.graph.OpHarness.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class ActivationOpsTest {
  private static final Attributes NONE = Attributes.EMPTY;
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  private static Attributes attrs(Object... kv) {
    return Attributes.of(kv);
  }

  @Test
  void reluKeepsNaNAndWorksOnIntegers() {
    assertFloats(run("graph.relu", vec(-1, 0, 2.5f, NAN, -INF, INF)), dims(6), 0, 0, 2.5f, NAN, 0, INF);
    assertEquals(0, Float.floatToRawIntBits(run("graph.relu", vec(-0f)).getFloat(0)), "relu(-0) = +0");
    assertLongs(run("graph.relu", ints(ElementType.I32, dims(3), -5, 0, 7)), ElementType.I32, dims(3), 0, 0, 7);
    assertLongs(run("graph.relu", ints(ElementType.I8, dims(2), -128, 127)), ElementType.I8, dims(2), 0, 127);
  }

  @Test
  void leakyReluScalesNegativesByAlpha() {
    assertClose(run("graph.leaky_relu", vec(-100, -1, 0, 3, NAN)), dims(5), 1e-7, -1, -0.01f, 0, 3, NAN);
    assertClose(run("graph.leaky_relu", attrs("alpha", Attribute.of(0.1)), vec(-1, 1)), dims(2), 1e-7, -0.1f, 1);
  }

  @Test
  void preluBroadcastsTheSlopeToX() {
    Tensor x = f32(dims(2, 3), -1, 2, -3, 4, -5, 6);
    assertFloats(run("graph.prelu", x, vec(0.5f, 2, 0.25f)), dims(2, 3), -0.5f, 2, -0.75f, 4, -10, 6);
    assertFloats(run("graph.prelu", x, scalar(-1)), dims(2, 3), 1, 2, 3, 4, 5, 6);
    assertFloats(run("graph.prelu", x, f32(dims(2, 1), 2, 3)), dims(2, 3), -2, 2, -6, 4, -15, 6);
    assertFloats(run("graph.prelu", vec(NAN, -2), vec(3, 3)), dims(2), NAN, -6);
  }

  @Test
  void preluRejectsASlopeThatWouldGrowX() {
    assertEquals("graph.prelu: slope tensor<2xf32> does not broadcast to tensor<2x3xf32>",
        error("graph.prelu", NONE, TensorType.f32(2, 3), TensorType.f32(2)));
    assertEquals("graph.prelu: slope tensor<4x3xf32> does not broadcast to tensor<3xf32>",
        error("graph.prelu", NONE, TensorType.f32(3), TensorType.f32(4, 3)));
  }

  @Test
  void clipBoundsAreOptionalAndMaxWinsWhenTheyCross() {
    Tensor x = vec(-2, 0, 3, 7, NAN);
    Attributes relu6 = attrs("min", Attribute.of(0.0), "max", Attribute.of(6.0));
    assertFloats(run("graph.clip", relu6, x), dims(5), 0, 0, 3, 6, NAN);
    assertFloats(run("graph.clip", attrs("max", Attribute.of(1.0)), x), dims(5), -2, 0, 1, 1, NAN);
    assertFloats(run("graph.clip", attrs("min", Attribute.of(1.0)), x), dims(5), 1, 1, 3, 7, NAN);
    assertFloats(run("graph.clip", NONE, x), dims(5), -2, 0, 3, 7, NAN);
    assertFloats(run("graph.clip", attrs("min", Attribute.of(2.0), "max", Attribute.of(1.0)), vec(-2, 0, 6)), dims(3),
        1, 1, 1);
  }

  @Test
  void clipOnIntegersRoundsBoundsInward() {
    Tensor x = ints(ElementType.I8, dims(4), -128, -3, 4, 127);
    assertLongs(run("graph.clip", attrs("min", Attribute.of(-2.5), "max", Attribute.of(3.5)), x), ElementType.I8,
        dims(4), -2, -2, 3, 3);
    assertLongs(run("graph.clip", attrs("min", Attribute.of(0.0)), x), ElementType.I8, dims(4), 0, 0, 4, 127);
    assertLongs(run("graph.clip", attrs("max", Attribute.of(1000.0)), ints(ElementType.U8, dims(2), 0, 255)),
        ElementType.U8, dims(2), 0, 255);
  }

  @Test
  void sigmoidAndTanhAtTheirLimits() {
    assertFloats(run("graph.sigmoid", vec(0, 100, -INF, INF, NAN)), dims(5), 0.5f, 1, 0, 1, NAN);
    assertClose(run("graph.sigmoid", vec(-80)), dims(1), 1e-6, (float) (1 / (1 + Math.exp(80))));
    assertFloats(run("graph.tanh", vec(0, 20, -20, INF, NAN)), dims(5), 0, 1, -1, 1, NAN);
  }

  @Test
  void hardSigmoidAndHardSwish() {
    assertClose(run("graph.hard_sigmoid", vec(-3, 0, 1, 3, NAN)), dims(5), 1e-7, 0, 0.5f, 0.7f, 1, NAN);
    assertClose(run("graph.hard_sigmoid", attrs("alpha", Attribute.of(0.5), "beta", Attribute.of(0.6)), vec(0.5f, -2)),
        dims(2), 1e-7, 0.85f, 0);
    assertClose(run("graph.hard_swish", vec(-4, -1, 0, 1, 4, NAN)), dims(6), 1e-7, 0, -1f / 3, 0, 2f / 3, 4, NAN);
  }

  @Test
  void geluExactAndTanhForms() {
    Tensor x = vec(-1, 0, 1, -30, 30);
    assertClose(run("graph.gelu", x), dims(5), 1e-7, -0.15865525393145707f, 0, 0.8413447460685429f, 0, 30);
    assertClose(run("graph.gelu", attrs("approximate", Attribute.of("tanh")), x), dims(5), 1e-7,
        -0.15880800939172324f, 0, 0.8411919906082768f, 0, 30);
    assertFloats(run("graph.gelu", vec(NAN, INF, -INF)), dims(3), NAN, INF, NAN);
  }

  @Test
  void activationInferenceErrors() {
    assertEquals("graph.gelu: approximate must be \"none\" or \"tanh\", got \"fast\"",
        error("graph.gelu", attrs("approximate", Attribute.of("fast")), TensorType.f32(2)));
    assertEquals("graph.sigmoid: operand 0 must be a float tensor, got tensor<2xi32>",
        error("graph.sigmoid", NONE, TensorType.of(ElementType.I32, 2)));
    assertEquals("graph.leaky_relu: attribute 'alpha' must be a float, got an int",
        error("graph.leaky_relu", attrs("alpha", Attribute.of(1L)), TensorType.f32(2)));
    assertEquals("graph.clip: operand 0 must be a float or integer tensor, got tensor<2xbool>",
        error("graph.clip", NONE, TensorType.of(ElementType.BOOL, 2)));
    assertEquals("graph.prelu: operand 1 has element type f64 but operand 0 has f32",
        error("graph.prelu", NONE, TensorType.f32(2), TensorType.of(ElementType.F64, 2)));
  }

  @Test
  void idempotentActivationsFold() {
    var b = OpHarness.builder();
    Value x = b.input("x", TensorType.f32(4));
    Value r1 = b.op("graph.relu", x);
    assertNull(fold(r1));
    assertSame(r1, fold(b.op("graph.relu", r1)), "relu(relu(x)) = relu(x)");
    Attributes relu6 = attrs("max", Attribute.of(6.0), "min", Attribute.of(0.0));
    Value c1 = b.op("graph.clip", relu6, x);
    assertSame(c1, fold(b.op("graph.clip", relu6, c1)), "clip(clip(x)) = clip(x)");
    assertNull(fold(b.op("graph.clip", attrs("max", Attribute.of(5.0)), c1)), "other bounds");
    assertSame(x, fold(b.op("graph.clip", NONE, x)), "clip without bounds = x");
    assertNull(fold(b.op("graph.leaky_relu", b.op("graph.leaky_relu", x))));
  }

  @Test
  void f64ActivationsComputeInDouble() {
    Tensor x = Tensor.fromDoubles(TensorType.of(ElementType.F64, 3), new double[] {-2, 0.5, 3});
    Tensor r = run("graph.hard_swish", x);
    assertEquals(0.5 * (0.5 / 6 + 0.5), r.getDouble(1));
    assertEquals(3.0, r.getDouble(2));
    assertEquals(1 / (1 + Math.exp(2)), run("graph.sigmoid", x).getDouble(0), 1e-17);
    assertEquals(-0.02, run("graph.leaky_relu", x).getDouble(0), 1e-17);
  }
}
