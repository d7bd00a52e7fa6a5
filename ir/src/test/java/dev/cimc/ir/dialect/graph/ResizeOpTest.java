package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertValues;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.error;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.fold;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.infer;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.iota;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.node;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

/** Expected values are the ONNX operator examples or hand computations with the ONNX reference formulas. */
class ResizeOpTest {
  private static final Tensor X22 = Tensor.ofFloats(new int[] {1, 1, 2, 2}, 1, 2, 3, 4);
  private static final Tensor X24 = Tensor.ofFloats(new int[] {1, 1, 2, 4}, 1, 2, 3, 4, 5, 6, 7, 8);
  private static final Tensor ROW4 = Tensor.ofFloats(new int[] {4}, 1, 2, 3, 4);

  private static Attributes scales(double... s) {
    return Attributes.of("scales", Attribute.floats(s));
  }

  private static Attributes sizes(long... s) {
    return Attributes.of("sizes", Attribute.ints(s));
  }

  private static Attributes linear(Attributes a) {
    return a.with("mode", Attribute.of("linear"));
  }

  private static Attributes ctm(Attributes a, String mode) {
    return a.with("coordinate_transformation_mode", Attribute.of(mode));
  }

  private static Attributes nearest(Attributes a, String mode) {
    return a.with("nearest_mode", Attribute.of(mode));
  }

  @Test
  void nearestUpsampleScales() {
    assertValues(run("graph.resize", scales(1, 1, 2, 3), X22), TensorType.f32(1, 1, 4, 6),
        1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4);
  }

  @Test
  void nearestDownsampleScales() {
    assertValues(run("graph.resize", scales(1, 1, 0.6, 0.6), X24), TensorType.f32(1, 1, 1, 2), 1, 3);
  }

  @Test
  void nearestModes() {
    var s8 = sizes(8);
    assertValues(run("graph.resize", s8, ROW4), TensorType.f32(8), 1, 1, 2, 2, 3, 3, 4, 4);
    assertValues(run("graph.resize", nearest(s8, "ceil"), ROW4), TensorType.f32(8), 1, 2, 2, 3, 3, 4, 4, 4);
    assertValues(run("graph.resize", nearest(ctm(s8, "asymmetric"), "round_prefer_ceil"), ROW4), TensorType.f32(8),
        1, 2, 2, 3, 3, 4, 4, 4);
    assertValues(run("graph.resize", nearest(ctm(s8, "asymmetric"), "round_prefer_floor"), ROW4), TensorType.f32(8),
        1, 1, 2, 2, 3, 3, 4, 4);
    assertValues(run("graph.resize", nearest(ctm(s8, "asymmetric"), "floor"), ROW4), TensorType.f32(8),
        1, 1, 2, 2, 3, 3, 4, 4);
    assertValues(run("graph.resize", ctm(s8, "tf_half_pixel_for_nn"), ROW4), TensorType.f32(8), 1, 2, 2, 3, 3, 4, 4, 4);
    // align_corners, floor: x * 3 / 7 -> 0, 0.43, 0.86, 1.29, 1.71, 2.14, 2.57, 3
    assertValues(run("graph.resize", nearest(ctm(s8, "align_corners"), "floor"), ROW4), TensorType.f32(8),
        1, 1, 1, 2, 2, 3, 3, 4);
  }

  @Test
  void nearestMovesEveryElementType() {
    assertLongs(run("graph.resize", scales(2), iota(ElementType.I64, 3)), TensorType.of(ElementType.I64, 6), 0, 0, 1, 1, 2, 2);
    assertLongs(run("graph.resize", sizes(4), iota(ElementType.BOOL, 2)), TensorType.of(ElementType.BOOL, 4), 0, 0, 1, 1);
  }

  @Test
  void upsampleAsImportedFromOnnxUpsample() {
    var up = nearest(ctm(scales(1, 1, 2, 3), "asymmetric"), "floor");
    assertValues(run("graph.resize", up, X22), TensorType.f32(1, 1, 4, 6),
        1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4);
  }

  @Test
  void bilinearUpsample() {
    assertValues(run("graph.resize", linear(scales(1, 1, 2, 2)), X22), TensorType.f32(1, 1, 4, 4),
        1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4);
  }

  @Test
  void bilinearAlignCorners() {
    double t = 1 / 3.0;
    assertValues(run("graph.resize", ctm(linear(scales(1, 1, 2, 2)), "align_corners"), X22), TensorType.f32(1, 1, 4, 4),
        1, 1 + t, 1 + 2 * t, 2, 1 + 2 * t, 2, 2 + t, 2 + 2 * t, 2 + t, 2 + 2 * t, 3, 3 + t, 3, 3 + t, 3 + 2 * t, 4);
    // resized length 4 * 0.6 = 2.4: x = 1 maps to 3 / 1.4
    assertValues(run("graph.resize", ctm(linear(scales(1, 1, 0.6, 0.6)), "align_corners"), X24),
        TensorType.f32(1, 1, 1, 2), 1, 1 + 3 / 1.4);
  }

  @Test
  void bilinearDownsample() {
    assertValues(run("graph.resize", linear(scales(1, 1, 0.6, 0.6)), X24), TensorType.f32(1, 1, 1, 2),
        2 + 2 / 3.0, 4 + 1 / 3.0);
  }

  @Test
  void linearPytorchHalfPixel() {
    Tensor x = iota(ElementType.F32, 1, 1, 4, 4);
    // rows map to 1/6, 1.5, 17/6; the single column maps to 0
    assertValues(run("graph.resize", ctm(linear(sizes(1, 1, 3, 1)), "pytorch_half_pixel"), x),
        TensorType.f32(1, 1, 3, 1), 4 / 6.0, 6, 4 * 17 / 6.0);
  }

  @Test
  void linearHalfPixelSymmetric() {
    Tensor x = Tensor.ofFloats(new int[] {1, 1, 1, 4}, 1, 2, 3, 4);
    assertValues(run("graph.resize", ctm(linear(scales(1, 1, 1, 0.6)), "half_pixel_symmetric"), x),
        TensorType.f32(1, 1, 1, 2), 1 + 2 / 3.0, 3 + 1 / 3.0);
  }

  @Test
  void linear1dAndF64() {
    Tensor x = Tensor.fromDoubles(TensorType.of(ElementType.F64, 4), new double[] {1, 2, 3, 4});
    assertValues(run("graph.resize", linear(sizes(3)), x), TensorType.of(ElementType.F64, 3), 1 + 1 / 6.0, 2.5, 3 + 5 / 6.0);
    assertValues(run("graph.resize", linear(scales(2)), ROW4), TensorType.f32(8), 1, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 4);
  }

  @Test
  void trilinearMatchesSeparableHandComputation() {
    // 2x2x2 cube with values 0..7 upsampled to 3x3x3 with align_corners: the centre is the mean 3.5
    Tensor x = iota(ElementType.F32, 2, 2, 2);
    Tensor y = run("graph.resize", ctm(linear(sizes(3, 3, 3)), "align_corners"), x);
    assertEquals(TensorType.f32(3, 3, 3), y.type());
    assertEquals(3.5, y.getDouble(13), 1e-6);
    assertEquals(0, y.getDouble(0), 1e-6);
    assertEquals(7, y.getDouble(26), 1e-6);
    assertEquals(0.5, y.getDouble(1), 1e-6);
    assertEquals(2, y.getDouble(9), 1e-6);
    assertEquals(1 + 0.5, y.getDouble(4), 1e-6);
  }

  @Test
  void keepAspectRatioAndAxes() {
    var x = TensorType.f32(1, 1, 2, 2);
    var axes = Attributes.of("axes", Attribute.ints(2, 3), "sizes", Attribute.ints(7, 8));
    assertEquals(TensorType.f32(1, 1, 7, 7),
        infer("graph.resize", axes.with("keep_aspect_ratio_policy", Attribute.of("not_larger")), x));
    assertEquals(TensorType.f32(1, 1, 8, 8),
        infer("graph.resize", axes.with("keep_aspect_ratio_policy", Attribute.of("not_smaller")), x));
    assertEquals(TensorType.f32(1, 1, 7, 8), infer("graph.resize", axes, x));
    var reversed = Attributes.of("axes", Attribute.ints(3, 2), "scales", Attribute.floats(3.0, 2.0));
    assertValues(run("graph.resize", reversed, X22), TensorType.f32(1, 1, 4, 6),
        1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4);
  }

  @Test
  void outputSizeFloorsTheScaledLength() {
    assertEquals(TensorType.f32(1, 1, 3, 7), infer("graph.resize", scales(1, 1, 1.7, 1.8), TensorType.f32(1, 1, 2, 4)));
  }

  @Test
  void errors() {
    var x = TensorType.f32(1, 1, 2, 2);
    assertEquals("graph.resize: mode 'cubic' is not supported (use 'nearest' or 'linear')",
        error("graph.resize", scales(1, 1, 2, 2).with("mode", Attribute.of("cubic")), x));
    assertEquals("graph.resize: takes 'scales' or 'sizes', not both",
        error("graph.resize", scales(1, 1, 2, 2).with("sizes", Attribute.ints(1, 1, 4, 4)), x));
    assertEquals("graph.resize: needs 'scales' or 'sizes'", error("graph.resize", Attributes.EMPTY, x));
    assertEquals("graph.resize: scales has 2 entries, expected 4 (one per dimension of tensor<1x1x2x2xf32>)",
        error("graph.resize", scales(2, 2), x));
    assertEquals("graph.resize: sizes has 1 entries, expected 2 (one per entry of axes)",
        error("graph.resize", sizes(4).with("axes", Attribute.ints(2, 3)), x));
    assertEquals("graph.resize: linear mode needs a float tensor, got tensor<4xi32>",
        error("graph.resize", linear(scales(2)), TensorType.of(ElementType.I32, 4)));
    assertEquals("graph.resize: coordinate_transformation_mode 'tf_crop_and_resize' is not supported",
        error("graph.resize", ctm(scales(1, 1, 2, 2), "tf_crop_and_resize"), x));
    assertEquals("graph.resize: nearest_mode must be one of round_prefer_floor, round_prefer_ceil, floor, ceil; got 'up'",
        error("graph.resize", nearest(scales(1, 1, 2, 2), "up"), x));
    assertEquals("graph.resize: scales must be positive, got [1.0, 1.0, 0.0, 2.0]",
        error("graph.resize", scales(1, 1, 0, 2), x));
  }

  @Test
  void unitScalesFold() {
    var n = node("graph.resize", linear(scales(1, 1, 1, 1)), TensorType.f32(1, 1, 2, 2));
    assertSame(n.operand(0), fold(n));
    assertNull(fold(node("graph.resize", ctm(sizes(1, 1, 2, 2), "tf_half_pixel_for_nn"), TensorType.f32(1, 1, 2, 2))));
    assertNull(fold(node("graph.resize", scales(1, 1, 1.2, 1.2), TensorType.f32(1, 1, 2, 2))));
  }
}
