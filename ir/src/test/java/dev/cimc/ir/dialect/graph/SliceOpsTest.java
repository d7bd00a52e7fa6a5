package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertLongs;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.assertValues;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.error;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.fold;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.infer;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.iota;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.node;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.run;
import static dev.cimc.ir.dialect.graph.ShapeOpsHarness.runMulti;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SliceOpsTest {
  private static final int DYN = Shape.DYNAMIC;

  private static Attributes axis(long a) {
    return Attributes.of("axis", Attribute.of(a));
  }

  private static Attributes slice(long[] starts, long[] ends, long[] axes, long[] steps) {
    var a = Attributes.of("starts", Attribute.ints(starts), "ends", Attribute.ints(ends));
    if (axes != null) {
      a = a.with("axes", Attribute.ints(axes));
    }
    if (steps != null) {
      a = a.with("steps", Attribute.ints(steps));
    }
    return a;
  }

  private static long[] l(long... v) {
    return v;
  }

  // ---- concat ----

  @Test
  void concatLastAxis() {
    Tensor a = Tensor.ofFloats(new int[] {2, 2}, 1, 2, 3, 4);
    Tensor b = Tensor.ofFloats(new int[] {2, 1}, 5, 6);
    assertValues(run("graph.concat", axis(1), a, b), TensorType.f32(2, 3), 1, 2, 5, 3, 4, 6);
    assertValues(run("graph.concat", axis(-1), a, b), TensorType.f32(2, 3), 1, 2, 5, 3, 4, 6);
  }

  @Test
  void concatFirstAxisIntegers() {
    Tensor a = iota(ElementType.I64, 1, 2);
    Tensor b = iota(ElementType.I64, 2, 2);
    Tensor c = Tensor.ofLongs(new int[] {1, 2}, -7, 9);
    assertLongs(run("graph.concat", axis(0), a, b, c), TensorType.of(ElementType.I64, 4, 2), 0, 1, 0, 1, 2, 3, -7, 9);
    assertLongs(run("graph.concat", axis(-2), iota(ElementType.BOOL, 1, 2), iota(ElementType.BOOL, 1, 2)),
        TensorType.of(ElementType.BOOL, 2, 2), 0, 1, 0, 1);
  }

  @Test
  void concatMiddleAxisAndEmptyParts() {
    Tensor a = iota(ElementType.U8, 2, 1, 2);
    Tensor b = iota(ElementType.U8, 2, 0, 2);
    Tensor c = iota(ElementType.U8, 2, 2, 2);
    assertLongs(run("graph.concat", axis(1), a, b, c), TensorType.of(ElementType.U8, 2, 3, 2),
        0, 1, 0, 1, 2, 3, 2, 3, 4, 5, 6, 7);
  }

  @Test
  void concatShapes() {
    assertEquals(TensorType.f32(4, 5), infer("graph.concat", axis(1), TensorType.f32(DYN, 2), TensorType.f32(4, 3)));
    assertEquals(TensorType.f32(DYN, 5), infer("graph.concat", axis(1), TensorType.f32(DYN, 2), TensorType.f32(DYN, 3)));
    assertEquals(TensorType.f32(4, DYN), infer("graph.concat", axis(1), TensorType.f32(4, DYN), TensorType.f32(4, 3)));
  }

  @Test
  void concatErrors() {
    assertEquals("graph.concat: operand 1 tensor<3x3xf32> does not match operand 0 tensor<2x2xf32> in dimension 0 (3 vs 2)",
        error("graph.concat", axis(1), TensorType.f32(2, 2), TensorType.f32(3, 3)));
    assertEquals("graph.concat: operand 1 has element type i32 but operand 0 has f32",
        error("graph.concat", axis(0), TensorType.f32(2), TensorType.of(ElementType.I32, 2)));
    assertEquals("graph.concat: operand 1 tensor<2x2xf32> has rank 2 but operand 0 tensor<2xf32> has rank 1",
        error("graph.concat", axis(0), TensorType.f32(2), TensorType.f32(2, 2)));
    assertEquals("graph.concat: axis 2 is out of range for rank 2 (expected -2..1)",
        error("graph.concat", axis(2), TensorType.f32(2, 2), TensorType.f32(2, 2)));
    assertEquals("graph.concat: missing required attribute 'axis' (int)",
        error("graph.concat", Attributes.EMPTY, TensorType.f32(2)));
    assertEquals("graph.concat: expected at least 1 operand, got 0", error("graph.concat", axis(0)));
    assertEquals("graph.concat: cannot concatenate rank-0 tensors", error("graph.concat", axis(0), TensorType.f32()));
  }

  @Test
  void concatQuantization() {
    var q1 = QuantParams.perAxis(0, new double[] {0.5}, new long[] {1});
    var q2 = QuantParams.perAxis(0, new double[] {0.25, 2.0}, new long[] {2, 3});
    var t = infer("graph.concat", axis(0), new TensorType(ElementType.I8, Shape.of(1, 4), q1),
        new TensorType(ElementType.I8, Shape.of(2, 4), q2));
    assertEquals(new TensorType(ElementType.I8, Shape.of(3, 4),
        QuantParams.perAxis(0, new double[] {0.5, 0.25, 2.0}, new long[] {1, 2, 3})), t);
    var p = QuantParams.perTensor(0.5, 3);
    assertEquals(new TensorType(ElementType.U8, Shape.of(4), p), infer("graph.concat", axis(0),
        new TensorType(ElementType.U8, Shape.of(1), p), new TensorType(ElementType.U8, Shape.of(3), p)));
    assertEquals("graph.concat: operand 1 tensor<3xu8> is quantized differently from operand 0 "
            + "tensor<1x!q.u8<scale=0.5, zp=3>>",
        error("graph.concat", axis(0), new TensorType(ElementType.U8, Shape.of(1), p), TensorType.of(ElementType.U8, 3)));
  }

  @Test
  void concatOfOneFolds() {
    var n = node("graph.concat", axis(0), TensorType.f32(2));
    assertSame(n.operand(0), fold(n));
  }

  // ---- split ----

  @Test
  void splitUnevenByNumOutputs() {
    Tensor x = Tensor.ofFloats(new int[] {7}, 1, 2, 3, 4, 5, 6, 7);
    List<Tensor> parts = runMulti("graph.split", Attributes.of("num_outputs", Attribute.of(4L)), 4, x);
    assertValues(parts.get(0), TensorType.f32(2), 1, 2);
    assertValues(parts.get(1), TensorType.f32(2), 3, 4);
    assertValues(parts.get(2), TensorType.f32(2), 5, 6);
    assertValues(parts.get(3), TensorType.f32(1), 7);
  }

  @Test
  void splitBySizesAlongAxis1() {
    Tensor x = iota(ElementType.I32, 2, 6);
    List<Tensor> parts = runMulti("graph.split", Attributes.of("axis", Attribute.of(-1L), "split", Attribute.ints(2, 4)), 2, x);
    assertLongs(parts.get(0), TensorType.of(ElementType.I32, 2, 2), 0, 1, 6, 7);
    assertLongs(parts.get(1), TensorType.of(ElementType.I32, 2, 4), 2, 3, 4, 5, 8, 9, 10, 11);
  }

  @Test
  void splitEqualPartsFromResultCount() {
    Tensor x = iota(ElementType.BOOL, 6);
    List<Tensor> parts = runMulti("graph.split", Attributes.EMPTY, 3, x);
    for (Tensor p : parts) {
      assertLongs(p, TensorType.of(ElementType.BOOL, 2), 0, 1);
    }
  }

  @Test
  void splitZeroSizes() {
    Tensor x = Tensor.ofFloats(new int[] {0});
    List<Tensor> parts = runMulti("graph.split", Attributes.of("split", Attribute.ints(0, 0, 0)), 3, x);
    assertEquals(3, parts.size());
    for (Tensor p : parts) {
      assertEquals(TensorType.f32(0), p.type());
    }
    var b = new GraphBuilder("t", Dialects.standard());
    var in = b.input("x", TensorType.f32(4));
    var outs = b.ops("graph.split", Attributes.of("num_outputs", Attribute.of(3L)), 3, in);
    assertEquals(List.of(TensorType.f32(2), TensorType.f32(2), TensorType.f32(0)),
        List.of(outs.get(0).type(), outs.get(1).type(), outs.get(2).type()));
  }

  @Test
  void splitErrors() {
    var b = new GraphBuilder("t", Dialects.standard());
    var x = b.input("x", TensorType.f32(5));
    assertEquals("graph.split: split [2, 2] adds up to 4, but axis 0 of tensor<5xf32> has size 5",
        assertThrows(CimcException.class,
            () -> b.ops("graph.split", Attributes.of("split", Attribute.ints(2, 2)), 2, x)).getMessage());
    assertEquals("graph.split: the number of parts is unknown: give 'split' or 'num_outputs', or declare the results",
        assertThrows(CimcException.class, () -> b.op("graph.split", Attributes.EMPTY, x)).getMessage());
    assertEquals("graph.split: num_outputs 3 disagrees with split [2, 3] (2 parts)",
        assertThrows(CimcException.class, () -> b.ops("graph.split",
            Attributes.of("split", Attribute.ints(2, 3), "num_outputs", Attribute.of(3L)), 2, x)).getMessage());
    assertEquals("graph.split: splits into 2 parts but the node has 3 results",
        assertThrows(CimcException.class,
            () -> b.ops("graph.split", Attributes.of("split", Attribute.ints(2, 3)), 3, x)).getMessage());
    assertEquals("graph.split: cannot split axis 0 of tensor<5xf32> into 4 parts: 3 chunks of 2 already exceed its size 5",
        assertThrows(CimcException.class,
            () -> b.ops("graph.split", Attributes.of("num_outputs", Attribute.of(4L)), 4, x)).getMessage());
    assertEquals("graph.split: split [3, -1, 3] has a negative size -1",
        assertThrows(CimcException.class,
            () -> b.ops("graph.split", Attributes.of("split", Attribute.ints(3, -1, 3)), 3, x)).getMessage());
  }

  @Test
  void splitSplitsQuantScales() {
    var q = QuantParams.perAxis(0, new double[] {1, 2, 3}, new long[] {0, 1, 2});
    var b = new GraphBuilder("t", Dialects.standard());
    var x = b.input("x", new TensorType(ElementType.I8, Shape.of(3, 2), q));
    var outs = b.ops("graph.split", Attributes.of("split", Attribute.ints(1, 2)), 2, x);
    assertEquals(QuantParams.perAxis(0, new double[] {2, 3}, new long[] {1, 2}), outs.get(1).type().quant());
  }

  // ---- slice ----

  @Test
  void sliceBox() {
    Tensor x = iota(ElementType.F32, 3, 4);
    assertValues(run("graph.slice", slice(l(0, 1), l(2, 3), null, null), x), TensorType.f32(2, 2), 1, 2, 5, 6);
    assertValues(run("graph.slice", slice(l(0), l(4), l(1), l(2)), x), TensorType.f32(3, 2), 0, 2, 4, 6, 8, 10);
    assertValues(run("graph.slice", slice(l(1), l(Long.MAX_VALUE), l(0), null), x), TensorType.f32(2, 4),
        4, 5, 6, 7, 8, 9, 10, 11);
    assertValues(run("graph.slice", slice(l(0), l(-1), l(-1), null), x), TensorType.f32(3, 3),
        0, 1, 2, 4, 5, 6, 8, 9, 10);
  }

  @Test
  void sliceNegativeSteps() {
    Tensor x = iota(ElementType.I16, 3, 4);
    assertLongs(run("graph.slice", slice(l(-1), l(Long.MIN_VALUE), l(1), l(-1)), x), TensorType.of(ElementType.I16, 3, 4),
        3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8);
    assertLongs(run("graph.slice", slice(l(10), l(-10), l(1), l(-2)), x), TensorType.of(ElementType.I16, 3, 2),
        3, 1, 7, 5, 11, 9);
    assertLongs(run("graph.slice", slice(l(Long.MAX_VALUE, 2), l(Long.MIN_VALUE, 0), null, l(-1, -1)), x),
        TensorType.of(ElementType.I16, 3, 2), 10, 9, 6, 5, 2, 1);
    assertEquals(TensorType.f32(19, 3, 2), infer("graph.slice",
        slice(l(20, 10, 4), l(0, 0, 1), l(0, 1, 2), l(-1, -3, -2)), TensorType.f32(20, 10, 5)));
  }

  @Test
  void sliceOutOfRange() {
    Tensor x = iota(ElementType.I8, 3, 4);
    assertLongs(run("graph.slice", slice(l(1000), l(1000), l(1), l(1)), x), TensorType.of(ElementType.I8, 3, 0));
    assertLongs(run("graph.slice", slice(l(1), l(1000), l(1), null), x), TensorType.of(ElementType.I8, 3, 3),
        1, 2, 3, 5, 6, 7, 9, 10, 11);
    assertLongs(run("graph.slice", slice(l(-1000), l(1), l(0), null), x), TensorType.of(ElementType.I8, 1, 4), 0, 1, 2, 3);
    assertLongs(run("graph.slice", slice(l(2), l(1), l(0), null), x), TensorType.of(ElementType.I8, 0, 4));
    assertLongs(run("graph.slice", slice(l(-1), l(Long.MIN_VALUE), l(0), l(-1)), iota(ElementType.I8, 0, 2)),
        TensorType.of(ElementType.I8, 0, 2));
    // the ONNX spec clamps a backward start into [0, dim - 1], so a start before the first element reads it
    assertLongs(run("graph.slice", slice(l(-1000), l(-5), l(1), l(-1)), x), TensorType.of(ElementType.I8, 3, 1), 0, 4, 8);
  }

  @Test
  void sliceDynamicDims() {
    assertEquals(TensorType.f32(DYN, 2), infer("graph.slice", slice(l(0), l(2), l(1), null), TensorType.f32(DYN, 4)));
    assertEquals(TensorType.f32(DYN, 4), infer("graph.slice", slice(l(1), l(2), l(0), null), TensorType.f32(DYN, 4)));
  }

  @Test
  void sliceErrors() {
    var x = TensorType.f32(3, 4);
    assertEquals("graph.slice: steps must be non-zero, got [0]", error("graph.slice", slice(l(0), l(1), l(0), l(0)), x));
    assertEquals("graph.slice: starts has 1 entries but ends has 2", error("graph.slice", slice(l(0), l(1, 2), null, null), x));
    assertEquals("graph.slice: axes has 2 entries but starts has 1", error("graph.slice", slice(l(0), l(1), l(0, 1), null), x));
    assertEquals("graph.slice: steps has 2 entries but starts has 1", error("graph.slice", slice(l(0), l(1), l(0), l(1, 1)), x));
    assertEquals("graph.slice: axes [0, -2] name axis 0 twice",
        error("graph.slice", slice(l(0, 0), l(1, 1), l(0, -2), null), x));
    assertEquals("graph.slice: starts has 3 entries but the operand has rank 2",
        error("graph.slice", slice(l(0, 0, 0), l(1, 1, 1), null, null), x));
  }

  @Test
  void sliceSlicesQuantScales() {
    var q = QuantParams.perAxis(1, new double[] {1, 2, 3, 4}, new long[] {0, 1, 2, 3});
    var t = infer("graph.slice", slice(l(-1), l(Long.MIN_VALUE), l(1), l(-2)), new TensorType(ElementType.I8, Shape.of(2, 4), q));
    assertEquals(QuantParams.perAxis(1, new double[] {4, 2}, new long[] {3, 1}), t.quant());
  }

  @Test
  void sliceFolders() {
    var whole = node("graph.slice", slice(l(0), l(Long.MAX_VALUE), l(0), null), TensorType.f32(3, 4));
    assertSame(whole.operand(0), fold(whole));
    var reversed = node("graph.slice", slice(l(-1), l(Long.MIN_VALUE), l(1), l(-1)), TensorType.f32(3, 4));
    assertNull(fold(reversed));
    var dynamic = node("graph.slice", slice(l(1), l(2), l(0), null), TensorType.f32(DYN, 4));
    assertNull(fold(dynamic));
  }

  // ---- gather ----

  private static Tensor gather(Tensor data, Tensor indices, long axis) {
    var b = new GraphBuilder("g", Dialects.standard());
    var d = b.input("data", data.type());
    var i = b.constant("idx", indices);
    b.output(b.op("graph.gather", axis(axis), d, i));
    try (var it = Interpreter.withThreads(1)) {
      return it.run(b.build(), Map.of("data", data)).values().iterator().next();
    }
  }

  @Test
  void gatherAxis0() {
    Tensor data = Tensor.ofFloats(new int[] {3, 2}, 1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f);
    Tensor idx = Tensor.ofLongs(new int[] {2, 2}, 0, 1, 1, 2);
    assertValues(gather(data, idx, 0), TensorType.f32(2, 2, 2), 1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f);
  }

  @Test
  void gatherAxis1() {
    Tensor data = Tensor.ofFloats(new int[] {3, 3}, 1.0f, 1.2f, 1.9f, 2.3f, 3.4f, 3.9f, 4.5f, 5.7f, 5.9f);
    Tensor idx = Tensor.ofLongs(new int[] {1, 2}, 0, 2);
    assertValues(gather(data, idx, 1), TensorType.f32(3, 1, 2), 1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f);
  }

  @Test
  void gatherNegativeAndI32Indices() {
    Tensor data = iota(ElementType.I64, 3, 2);
    Tensor idx = Tensor.fromLongs(TensorType.of(ElementType.I32, 3), new long[] {-1, 0, -3});
    assertLongs(gather(data, idx, 0), TensorType.of(ElementType.I64, 3, 2), 4, 5, 0, 1, 0, 1);
    Tensor scalar = Tensor.ofLongs(new int[] {}, -1);
    assertLongs(gather(data, scalar, -1), TensorType.of(ElementType.I64, 3), 1, 3, 5);
    assertLongs(gather(iota(ElementType.BOOL, 4), Tensor.ofLongs(new int[] {2}, 3, 2), 0),
        TensorType.of(ElementType.BOOL, 2), 1, 0);
  }

  @Test
  void gatherIndexOutOfRange() {
    var e = assertThrows(CimcException.class,
        () -> gather(iota(ElementType.F32, 3), Tensor.ofLongs(new int[] {2}, 0, 3), 0));
    assertEquals("%0 = graph.gather: index 3 is out of range for axis 0 of size 3", e.getMessage());
  }

  @Test
  void gatherErrors() {
    assertEquals("graph.gather: indices must be i64 or i32, got tensor<2xf32>",
        error("graph.gather", Attributes.EMPTY, TensorType.f32(3), TensorType.f32(2)));
    assertEquals("graph.gather: axis 1 is out of range for rank 1 (expected -1..0)",
        error("graph.gather", axis(1), TensorType.f32(3), TensorType.of(ElementType.I64, 2)));
    assertEquals("graph.gather: cannot gather from a rank-0 tensor",
        error("graph.gather", Attributes.EMPTY, TensorType.f32(), TensorType.of(ElementType.I64, 2)));
    var q = QuantParams.perAxis(0, new double[] {1, 2}, new long[] {0, 0});
    assertEquals("graph.gather: cannot gather along axis 0, the per-axis quantization axis of "
            + "tensor<2x3x!q.i8<axis=0, scales=[1.0, 2.0], zps=[0, 0]>>",
        error("graph.gather", Attributes.EMPTY, new TensorType(ElementType.I8, Shape.of(2, 3), q),
            TensorType.of(ElementType.I64, 2)));
    assertTrue(infer("graph.gather", axis(1), new TensorType(ElementType.I8, Shape.of(2, 3), q),
        TensorType.of(ElementType.I64, 4, 5)).quant().equals(q));
  }

  @Test
  void gatherShapes() {
    assertEquals(TensorType.f32(2, 4, 5, 3), infer("graph.gather", axis(1), TensorType.f32(2, 7, 3),
        TensorType.of(ElementType.I64, 4, 5)));
    assertEquals(TensorType.f32(2), infer("graph.gather", axis(0), TensorType.f32(7, 2),
        TensorType.of(ElementType.I64)));
  }
}
