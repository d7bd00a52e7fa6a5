package dev.cimc.ir.dialect;

import static dev.cimc.ir.dialect.OneOp.R;
import static dev.cimc.ir.dialect.OneOp.infer;
import static dev.cimc.ir.dialect.OneOp.inferError;
import static dev.cimc.ir.dialect.OneOp.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ShapeOpsTest {
  private static final int Q = Shape.DYNAMIC;

  private static Attributes shape(long... s) {
    return Attributes.of("shape", Attribute.ints(s));
  }

  private static Attributes shape0(long... s) {
    return Attributes.of("shape", Attribute.ints(s), "allowzero", Attribute.of(1L));
  }

  private static Attributes perm(long... p) {
    return Attributes.of("perm", Attribute.ints(p));
  }

  private static TensorType f32(int... dims) {
    return new TensorType(ElementType.F32, Shape.of(dims), null);
  }

  private static Tensor iota(int... dims) {
    int n = (int) Shape.of(dims).numel();
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return Tensor.ofFloats(dims, v);
  }

  // ---- reshape ----

  @Test
  void reshapeInference() {
    assertEquals(f32(2, 12), infer("graph.reshape", shape(0, -1), f32(2, 3, 4)));
    assertEquals(f32(2, 3, 4), infer("graph.reshape", shape(0, 0, 4), f32(2, 3, 4)));
    assertEquals(f32(24), infer("graph.reshape", shape(-1), f32(2, 3, 4)));
    assertEquals(f32(4, 3, 2), infer("graph.reshape", shape(4, -1, 2), f32(2, 3, 4)));
    assertEquals(f32(), infer("graph.reshape", shape(), f32(1, 1)));
    assertEquals(f32(1, 1, 1), infer("graph.reshape", shape(-1, 1, 1), f32()));
    assertEquals(f32(4, 0), infer("graph.reshape", shape0(4, 0), f32(0, 4)));
    assertEquals(f32(0, 3), infer("graph.reshape", shape(-1, 0), f32(0, 3)));
  }

  @Test
  void reshapeWithDynamicDimensions() {
    assertEquals(f32(Q, 2), infer("graph.reshape", shape(-1, 2), f32(Q, 4)));
    assertEquals(f32(Q, 2, 2), infer("graph.reshape", shape(0, 2, 2), f32(Q, 4)));
    assertEquals(f32(Q), infer("graph.reshape", shape(-1), f32(2, Q)));
    assertEquals(f32(3, 8), infer("graph.reshape", shape(3, 8), f32(Q, 4)));
  }

  @Test
  void reshapeErrors() {
    assertEquals("shape [-1, -1] has more than one -1", inferError("graph.reshape", shape(-1, -1), f32(2, 3)));
    assertEquals("shape [2, -3] has a negative dimension -3", inferError("graph.reshape", shape(2, -3), f32(2, 3)));
    assertEquals("shape [0, 0, 0] copies dimension 2 (0) but the operand has rank 2",
        inferError("graph.reshape", shape(0, 0, 0), f32(2, 3)));
    assertEquals("cannot reshape 6 elements (tensor<2x3xf32>) to [-1, 4]",
        inferError("graph.reshape", shape(-1, 4), f32(2, 3)));
    assertEquals("cannot reshape 6 elements (tensor<2x3xf32>) to [0, -1]",
        inferError("graph.reshape", shape0(0, -1), f32(2, 3)));
    assertEquals("cannot reshape tensor<2x3xf32> (6 elements) to [4, 2] (8 elements)",
        inferError("graph.reshape", shape(4, 2), f32(2, 3)));
    assertEquals("cannot reshape tensor<2x3xf32> (6 elements) to [0, 6] (12 elements)",
        inferError("graph.reshape", shape(0, 6), f32(2, 3)));
    assertEquals("cannot reshape tensor<2x3xf32> (6 elements) to [0, 6] (0 elements)",
        inferError("graph.reshape", shape0(0, 6), f32(2, 3)));
    assertEquals("missing required attribute 'shape'", inferError("graph.reshape", Attributes.EMPTY, f32(2, 3)));
  }

  @Test
  void reshapeKeepsDataAndPerTensorQuantization() {
    Tensor r = run("graph.reshape", shape(3, -1), iota(2, 3));
    assertEquals(TensorType.f32(3, 2), r.type());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, r.floats());
    var qt = new TensorType(ElementType.U8, Shape.of(2, 3), QuantParams.perTensor(0.5, 3));
    Tensor q = Tensor.fromLongs(qt, new long[] {0, 1, 2, 253, 254, 255});
    Tensor rq = run("graph.reshape", shape(6), q);
    assertEquals(qt.withShape(Shape.of(6)), rq.type());
    assertArrayEquals(new long[] {0, 1, 2, 253, 254, 255}, rq.toLongArray());
    var pa = new TensorType(ElementType.I8, Shape.of(2, 3),
        QuantParams.perAxis(1, new double[] {1, 1, 1}, new long[] {0, 0, 0}));
    assertEquals("cannot reshape tensor<2x3x!q.i8<axis=1, scales=[1.0, 1.0, 1.0], zps=[0, 0, 0]>> to [6]: "
        + "its per-axis quantization axis 1 does not survive", inferError("graph.reshape", shape(6), pa));
  }

  @Test
  void reshapeFoldsAndChainsCollapse() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2, 3));
    Value same = b.op("graph.reshape", shape(0, 3), x);
    Value flat = b.op("graph.reshape", shape(-1), x);
    Value back = b.op("graph.reshape", shape(3, 2), flat);
    b.output(same, back);
    Graph g = b.build();
    var reshape = R.get("graph.reshape");
    assertSame(x, reshape.folders().get(0).fold(same.producer()));
    assertNull(reshape.folders().get(0).fold(flat.producer()));
    assertTrue(reshape.canonicalizations().get(0).apply(back.producer()));
    assertSame(x, back.producer().operand(0));
    assertArrayEquals(new long[] {3, 2}, back.producer().intsAttr("shape"));
    assertEquals(List.of(), Verifier.verify(g));
  }

  // ---- transpose ----

  /** out[o] = x[i] where i[perm[d]] = o[d]: the definition, index by index. */
  private static float[] naiveTranspose(Tensor x, int[] perm) {
    int[] in = x.shape().dims();
    int r = in.length;
    int[] out = new int[r];
    for (int d = 0; d < r; d++) {
      out[d] = in[perm[d]];
    }
    long[] inStrides = x.shape().strides();
    float[] z = new float[x.size()];
    int[] o = new int[r];
    for (int k = 0; k < z.length; k++) {
      int rem = k;
      for (int d = r - 1; d >= 0; d--) {
        o[d] = rem % out[d];
        rem /= out[d];
      }
      long src = 0;
      for (int d = 0; d < r; d++) {
        src += o[d] * inStrides[perm[d]];
      }
      z[k] = x.floats()[(int) src];
    }
    return z;
  }

  @Test
  void transposeDefaultReverses() {
    Tensor r = run("graph.transpose", iota(2, 3));
    assertEquals(TensorType.f32(3, 2), r.type());
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.floats());
    Tensor x = iota(2, 3, 4);
    Tensor r3 = run("graph.transpose", x);
    assertEquals(TensorType.f32(4, 3, 2), r3.type());
    assertArrayEquals(naiveTranspose(x, new int[] {2, 1, 0}), r3.floats());
    assertEquals(13f, r3.floats()[(1 * 3 + 0) * 2 + 1]); // out[1,0,1] = x[1,0,1] = 12 + 1
  }

  @Test
  void transposeExplicitAndNegativePerms() {
    Tensor x = iota(2, 3, 4);
    Tensor a = run("graph.transpose", perm(1, 0, 2), x);
    assertEquals(TensorType.f32(3, 2, 4), a.type());
    assertArrayEquals(naiveTranspose(x, new int[] {1, 0, 2}), a.floats());
    Tensor b = run("graph.transpose", perm(2, 0, 1), x);
    assertEquals(TensorType.f32(4, 2, 3), b.type());
    assertArrayEquals(naiveTranspose(x, new int[] {2, 0, 1}), b.floats());
    assertEquals(x.floats()[(1 * 3 + 2) * 4 + 3], b.floats()[(3 * 2 + 1) * 3 + 2]);
    Tensor c = run("graph.transpose", perm(-1, 0, -2), x);
    assertTrue(b.contentEquals(c));
    Tensor y = iota(2, 3, 1, 4);
    assertArrayEquals(naiveTranspose(y, new int[] {3, 1, 0, 2}), run("graph.transpose", perm(3, 1, 0, 2), y).floats());
    Tensor id = run("graph.transpose", perm(0, 1, 2), x);
    assertArrayEquals(x.floats(), id.floats());
  }

  @Test
  void transposeOfSmallRanksAndEmptyTensors() {
    assertArrayEquals(new float[] {7}, run("graph.transpose", Tensor.scalar(7)).floats());
    assertArrayEquals(new float[] {0, 1, 2}, run("graph.transpose", iota(3)).floats());
    Tensor e = run("graph.transpose", Tensor.ofFloats(new int[] {0, 3}));
    assertEquals(TensorType.f32(3, 0), e.type());
    assertEquals(f32(3, Q), infer("graph.transpose", Attributes.EMPTY, f32(Q, 3)));
  }

  @Test
  void transposeErrors() {
    assertEquals("perm [0, 1] has 2 entries but the operand has rank 3",
        inferError("graph.transpose", perm(0, 1), f32(2, 3, 4)));
    assertEquals("perm [0, 0, 1] is not a permutation of 0..2", inferError("graph.transpose", perm(0, 0, 1), f32(2, 3, 4)));
    assertEquals("perm [0, 1, 3] is not a permutation of 0..2", inferError("graph.transpose", perm(0, 1, 3), f32(2, 3, 4)));
    assertEquals("perm [-4, 0, 1] is not a permutation of 0..2", inferError("graph.transpose", perm(-4, 0, 1), f32(2, 3, 4)));
    assertEquals("perm [2, -1, 0] is not a permutation of 0..2", inferError("graph.transpose", perm(2, -1, 0), f32(2, 3, 4)));
  }

  @Test
  void transposeRemapsTheQuantizationAxis() {
    var pa = new TensorType(ElementType.I8, Shape.of(2, 3),
        QuantParams.perAxis(1, new double[] {0.5, 0.25, 1}, new long[] {0, 1, -1}));
    Tensor q = Tensor.fromLongs(pa, new long[] {-128, -1, 0, 1, 2, 127});
    Tensor r = run("graph.transpose", q);
    var want = new TensorType(ElementType.I8, Shape.of(3, 2),
        QuantParams.perAxis(0, new double[] {0.5, 0.25, 1}, new long[] {0, 1, -1}));
    assertEquals(want, r.type());
    assertArrayEquals(new long[] {-128, 1, -1, 2, 0, 127}, r.toLongArray());
    // dequantizing commutes with the transpose
    Tensor d1 = run("graph.transpose", run("q.dequantize", q));
    Tensor d2 = run("q.dequantize", r);
    assertTrue(d1.contentEquals(d2));

    var axis0 = new TensorType(ElementType.U8, Shape.of(4, 2, 3),
        QuantParams.perAxis(0, new double[] {1, 2, 3, 4}, new long[] {0, 0, 0, 0}));
    assertEquals(2, infer("graph.transpose", perm(1, 2, 0), axis0).quant().axis());
    assertEquals(1, infer("graph.transpose", perm(2, 0, 1), axis0).quant().axis());
    assertEquals(1, infer("graph.transpose", perm(-1, -3, -2), axis0).quant().axis());
    assertEquals(Shape.of(3, 4, 2), infer("graph.transpose", perm(2, 0, 1), axis0).shape());
    var pt = new TensorType(ElementType.U8, Shape.of(2, 3), QuantParams.perTensor(0.5, 3));
    assertEquals(pt.withShape(Shape.of(3, 2)), infer("graph.transpose", Attributes.EMPTY, pt));
  }

  @Test
  void transposeFoldsAndChainsCompose() {
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2, 3, 4));
    Value same = b.op("graph.transpose", perm(0, 1, 2), x);
    Value t1 = b.op("graph.transpose", perm(1, 2, 0), x);
    Value t2 = b.op("graph.transpose", perm(1, 2, 0), t1);
    b.output(same, t2);
    Graph g = b.build();
    var transpose = R.get("graph.transpose");
    assertSame(x, transpose.folders().get(0).fold(same.producer()));
    assertNull(transpose.folders().get(0).fold(t1.producer()));
    Map<String, Tensor> feed = Map.of("x", iota(2, 3, 4));
    Tensor before = Interpreter.runOnce(g, feed).get(t2.name());
    assertTrue(transpose.canonicalizations().get(0).apply(t2.producer()));
    assertSame(x, t2.producer().operand(0));
    assertArrayEquals(new long[] {2, 0, 1}, t2.producer().intsAttr("perm"));
    assertEquals(List.of(), Verifier.verify(g));
    Tensor after = Interpreter.runOnce(g, feed).get(t2.name());
    assertTrue(before.contentEquals(after));
  }
}
