package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The fused ops equal their unfused pair bit for bit, for every activation; their attributes are checked. */
class FusedOpsTest {
  /** Activation attributes of the fused op, and the unfused activation op with its attributes. */
  record Act(String name, Attributes fused, String op, Attributes opAttrs) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Act> activations() {
    return List.of(
        new Act("none", Attributes.EMPTY, null, null),
        new Act("relu", act("relu"), "graph.relu", Attributes.EMPTY),
        new Act("relu6", act("relu6"), "graph.clip", Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0))),
        new Act("clip", act("clip").with("min", Attribute.of(-0.5)).with("max", Attribute.of(0.75)), "graph.clip",
            Attributes.of("min", Attribute.of(-0.5), "max", Attribute.of(0.75))),
        new Act("clip-max-only", act("clip").with("max", Attribute.of(0.25)), "graph.clip",
            Attributes.of("max", Attribute.of(0.25))),
        new Act("leaky_relu", act("leaky_relu").with("slope", Attribute.of(0.3)), "graph.leaky_relu",
            Attributes.of("alpha", Attribute.of(0.3))),
        new Act("hard_swish", act("hard_swish"), "graph.hard_swish", Attributes.EMPTY),
        new Act("sigmoid", act("sigmoid"), "graph.sigmoid", Attributes.EMPTY));
  }

  private static Attributes act(String a) {
    return Attributes.of("activation", Attribute.of(a));
  }

  private static Tensor random(Random r, ElementType et, int... dims) {
    double[] v = new double[TensorType.of(et, dims).shape().numel() > 0 ? (int) TensorType.of(et, dims).numel() : 0];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextGaussian() * 3;
    }
    return Tensor.fromDoubles(TensorType.of(et, dims), v);
  }

  private static Tensor unfused(Act a, Tensor y) {
    return a.op() == null ? y : SingleOp.run(a.op(), a.opAttrs(), y);
  }

  private static void assertBitExact(Tensor expected, Tensor actual) {
    assertEquals(expected.type(), actual.type());
    assertTrue(expected.contentEquals(actual), "fused result differs from the unfused pair");
  }

  @ParameterizedTest
  @MethodSource("activations")
  void fusedConvEqualsConvThenActivation(Act a) {
    for (ElementType et : List.of(ElementType.F32, ElementType.F64)) {
      var r = new Random(1);
      Tensor x = random(r, et, 1, 4, 6, 6);
      Tensor w = random(r, et, 6, 2, 3, 3);
      Tensor b = random(r, et, 6);
      Attributes conv = Attributes.of("group", Attribute.of(2L), "pads", Attribute.ints(1, 0, 1, 2),
          "strides", Attribute.ints(2, 1));
      Tensor y = SingleOp.run("graph.conv2d", conv, x, w, b);
      Attributes fused = conv;
      for (var e : a.fused().entries()) {
        fused = fused.with(e.getKey(), e.getValue());
      }
      assertBitExact(unfused(a, y), SingleOp.run("graph.fused_conv2d", fused, x, w, b));
    }
  }

  @ParameterizedTest
  @MethodSource("activations")
  void fusedGemmEqualsGemmThenActivation(Act a) {
    var r = new Random(2);
    Tensor x = random(r, ElementType.F32, 3, 5);
    Tensor w = random(r, ElementType.F32, 4, 5);
    Tensor c = random(r, ElementType.F32, 4);
    Attributes gemm = Attributes.of("trans_b", Attribute.of(1L), "alpha", Attribute.of(0.5), "beta", Attribute.of(2.0));
    Tensor y = SingleOp.run("graph.gemm", gemm, x, w, c);
    Attributes fused = gemm;
    for (var e : a.fused().entries()) {
      fused = fused.with(e.getKey(), e.getValue());
    }
    assertBitExact(unfused(a, y), SingleOp.run("graph.fused_gemm", fused, x, w, c));
  }

  @ParameterizedTest
  @MethodSource("activations")
  void fusedAddEqualsAddThenActivation(Act a) {
    var r = new Random(3);
    Tensor x = random(r, ElementType.F32, 2, 3, 4);
    Tensor y = random(r, ElementType.F32, 3, 1);
    assertBitExact(unfused(a, SingleOp.run("graph.add", Attributes.EMPTY, x, y)),
        SingleOp.run("graph.fused_add", a.fused(), x, y));
  }

  @Test
  void attributeErrors() {
    TensorType x = TensorType.f32(1, 2, 4, 4);
    TensorType w = TensorType.f32(3, 2, 1, 1);
    assertEquals("graph.fused_conv2d: unknown activation \"gelu\" (expected one of: none, relu, relu6, clip, "
        + "leaky_relu, hard_swish, sigmoid)", SingleOp.error("graph.fused_conv2d", act("gelu"), x, w));
    assertEquals("graph.fused_conv2d: min and max apply only to activation \"clip\", not \"relu\"",
        SingleOp.error("graph.fused_conv2d", act("relu").with("max", Attribute.of(1.0)), x, w));
    assertEquals("graph.fused_gemm: slope applies only to activation \"leaky_relu\", not \"relu6\"",
        SingleOp.error("graph.fused_gemm", act("relu6").with("slope", Attribute.of(0.2)), TensorType.f32(2, 3),
            TensorType.f32(3, 4)));
    assertEquals("graph.fused_conv2d: bn_stats must be a tensor<2x3xf32> (mean and std per output channel), "
        + "got tensor<2x2xf32>", SingleOp.error("graph.fused_conv2d", Attributes.of("bn_stats",
            new Attribute.TensorAttr(Tensor.zeros(TensorType.f32(2, 2)))), x, w));
    assertEquals("graph.conv2d: bn_stats must be a tensor<2x3xf32> (mean and std per output channel), "
        + "got tensor<3xf32>", SingleOp.error("graph.conv2d", Attributes.of("bn_stats",
            new Attribute.TensorAttr(Tensor.zeros(TensorType.f32(3)))), x, w));
    assertEquals("graph.fused_add: operand 1 must be a float tensor, got tensor<3xi32>",
        SingleOp.error("graph.fused_add", act("relu"), TensorType.f32(3), TensorType.of(ElementType.I32, 3)));
  }

  @Test
  void resultTypesFollowTheUnfusedOp() {
    assertEquals(TensorType.f32(1, 6, 3, 3), SingleOp.infer("graph.fused_conv2d",
        act("relu").with("strides", Attribute.ints(2, 2)), TensorType.f32(1, 2, 6, 6), TensorType.f32(6, 2, 2, 2)));
    assertEquals(TensorType.f32(2, 4), SingleOp.infer("graph.fused_gemm", act("sigmoid"), TensorType.f32(2, 3),
        TensorType.f32(3, 4), TensorType.f32(4)));
    assertEquals(TensorType.f32(2, 3), SingleOp.infer("graph.fused_add", act("relu"), TensorType.f32(2, 1),
        TensorType.f32(3)));
  }
}
