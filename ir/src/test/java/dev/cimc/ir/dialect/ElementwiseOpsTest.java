package dev.cimc.ir.dialect;

import static dev.cimc.ir.dialect.OneOp.R;
import static dev.cimc.ir.dialect.OneOp.infer;
import static dev.cimc.ir.dialect.OneOp.inferError;
import static dev.cimc.ir.dialect.OneOp.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class ElementwiseOpsTest {
  private static final int Q = Shape.DYNAMIC;
  private static final Attributes NONE = Attributes.EMPTY;

  private static Tensor t(int[] dims, float... v) {
    return Tensor.ofFloats(dims, v);
  }

  private static Tensor iota(int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return Tensor.ofFloats(dims, v);
  }

  private static TensorType dyn(ElementType et, int... dims) {
    return new TensorType(et, Shape.of(dims), null);
  }

  @Test
  void sameShapes() {
    Tensor a = t(new int[] {3}, 1, 2, 3);
    Tensor b = t(new int[] {3}, 10, 20, 30);
    assertArrayEquals(new float[] {11, 22, 33}, run("graph.add", a, b).floats());
    assertArrayEquals(new float[] {-9, -18, -27}, run("graph.sub", a, b).floats());
    assertArrayEquals(new float[] {10, 40, 90}, run("graph.mul", a, b).floats());
    assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f}, run("graph.div", a, b).floats());
  }

  @Test
  void rankZero() {
    Tensor r = run("graph.sub", Tensor.scalar(2), Tensor.scalar(3));
    assertEquals(TensorType.f32(), r.type());
    assertArrayEquals(new float[] {-1}, r.floats());
  }

  @Test
  void scalarAgainstMatrixOnEitherSide() {
    Tensor m = t(new int[] {2, 2}, 1, 2, 3, 4);
    assertArrayEquals(new float[] {0, 1, 2, 3}, run("graph.sub", m, Tensor.scalar(1)).floats());
    assertArrayEquals(new float[] {9, 8, 7, 6}, run("graph.sub", Tensor.scalar(10), m).floats());
    assertArrayEquals(new float[] {12, 6, 4, 3}, run("graph.div", Tensor.scalar(12), m).floats());
    assertEquals(TensorType.f32(2, 2), run("graph.mul", Tensor.scalar(2), m).type());
    // a one-element operand of higher rank still broadcasts (and raises the rank)
    Tensor r = run("graph.add", t(new int[] {2}, 1, 2), t(new int[] {1, 1}, 10));
    assertEquals(TensorType.f32(1, 2), r.type());
    assertArrayEquals(new float[] {11, 12}, r.floats());
  }

  @Test
  void rankOneAgainstRankThree() {
    Tensor x = iota(2, 2, 3);
    Tensor y = t(new int[] {3}, 100, 200, 300);
    float[] sum = run("graph.add", x, y).floats();
    float[] rsub = run("graph.sub", y, x).floats();
    for (int i = 0; i < 12; i++) {
      float yk = 100 * (i % 3 + 1);
      assertEquals(i + yk, sum[i]);
      assertEquals(yk - i, rsub[i]);
    }
    assertEquals(TensorType.f32(2, 2, 3), run("graph.mul", y, x).type());
  }

  @Test
  void unitDimensionsBroadcastBothWays() {
    Tensor a = iota(2, 1, 3);
    Tensor b = t(new int[] {1, 4, 1}, 10, 20, 30, 40);
    Tensor r = run("graph.add", a, b);
    assertEquals(TensorType.f32(2, 4, 3), r.type());
    float[] z = r.floats();
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 4; j++) {
        for (int k = 0; k < 3; k++) {
          assertEquals(i * 3 + k + 10 * (j + 1), z[(i * 4 + j) * 3 + k], "at " + i + "," + j + "," + k);
        }
      }
    }
    assertEquals(10, z[0]);
    assertEquals(45, z[23]);
    float[] d = run("graph.div", b, t(new int[] {2, 1, 1}, 1, 10)).floats();
    assertArrayEquals(new float[] {10, 20, 30, 40, 1, 2, 3, 4}, d);
  }

  @Test
  void ieeeDivision() {
    float[] z = run("graph.div", t(new int[] {4}, 1, -1, 0, 1), t(new int[] {4}, 0, 0, 0, 3)).floats();
    assertEquals(Float.POSITIVE_INFINITY, z[0]);
    assertEquals(Float.NEGATIVE_INFINITY, z[1]);
    assertTrue(Float.isNaN(z[2]));
    assertEquals(1f / 3, z[3]);
  }

  @Test
  void emptyTensors() {
    Tensor r = run("graph.add", Tensor.ofFloats(new int[] {0, 3}), t(new int[] {3}, 1, 2, 3));
    assertEquals(TensorType.f32(0, 3), r.type());
    assertEquals(0, r.size());
  }

  @Test
  void otherFloatTypes() {
    Tensor a = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2), new double[] {0.1, 1e300});
    Tensor b = Tensor.fromDoubles(TensorType.of(ElementType.F64, 2), new double[] {0.2, 1e300});
    Tensor r = run("graph.add", a, b);
    assertEquals(TensorType.of(ElementType.F64, 2), r.type());
    assertArrayEquals(new double[] {0.30000000000000004, 2e300}, r.doubles());
    Tensor h = Tensor.wrap(TensorType.of(ElementType.F16, 2), new short[] {0x3C00, 0x7BFF});
    Tensor k = Tensor.wrap(TensorType.of(ElementType.F16, 2), new short[] {0x4000, 0x5000});
    assertArrayEquals(new short[] {0x4200, 0x7C00}, run("graph.add", h, k).shorts());
  }

  @Test
  void binaryInference() {
    assertEquals(TensorType.f32(2, 3), infer("graph.add", NONE, TensorType.f32(2, 3), TensorType.f32(3)));
    assertEquals(dyn(ElementType.F32, Q, 3), infer("graph.add", NONE, dyn(ElementType.F32, Q, 3), TensorType.f32(1, 3)));
    assertEquals(TensorType.f32(3), infer("graph.sub", NONE, dyn(ElementType.F32, Q), TensorType.f32(3)));
    assertEquals(dyn(ElementType.F32, Q), infer("graph.mul", NONE, TensorType.f32(1), dyn(ElementType.F32, Q)));
    assertEquals(dyn(ElementType.F32, 4, Q), infer("graph.div", NONE, dyn(ElementType.F32, 4, Q), dyn(ElementType.F32, Q, 1)));
    assertEquals("shapes 2x3 and 4x3 do not broadcast (dimension -2: 2 vs 4)",
        inferError("graph.add", NONE, TensorType.f32(2, 3), TensorType.f32(4, 3)));
    assertEquals("shapes 2 and 5x3 do not broadcast (dimension -1: 2 vs 3)",
        inferError("graph.mul", NONE, TensorType.f32(2), TensorType.f32(5, 3)));
    assertEquals("operand 1 has element type f64 but operand 0 has f32",
        inferError("graph.add", NONE, TensorType.f32(2), TensorType.of(ElementType.F64, 2)));
    assertEquals(TensorType.of(ElementType.I32, 2),
        infer("graph.sub", NONE, TensorType.of(ElementType.I32, 2), TensorType.of(ElementType.I32, 2)));
    assertEquals("operand 1 is quantized (tensor<2x!q.u8<scale=0.5, zp=3>>); graph ops take plain tensors",
        inferError("graph.div", NONE, TensorType.f32(2),
            new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(0.5, 3))));
  }

  @Test
  void traits() {
    assertTrue(R.get("graph.add").has(Trait.COMMUTATIVE));
    assertTrue(R.get("graph.mul").has(Trait.COMMUTATIVE));
    assertFalse(R.get("graph.sub").has(Trait.COMMUTATIVE));
    assertFalse(R.get("graph.div").has(Trait.COMMUTATIVE));
    assertTrue(R.get("graph.relu").has(Trait.IDEMPOTENT));
    assertTrue(R.get("graph.add").has(Trait.ELEMENTWISE));
  }

  @Test
  void relu() {
    Tensor r = run("graph.relu", t(new int[] {7}, -1, 0, 2.5f, Float.NaN, -0f, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY));
    float[] z = r.floats();
    assertEquals(0f, z[0]);
    assertEquals(0f, z[1]);
    assertEquals(2.5f, z[2]);
    assertTrue(Float.isNaN(z[3]), "relu(NaN) is NaN");
    assertEquals(0, Float.floatToRawIntBits(z[4]), "relu(-0) is +0");
    assertEquals(0f, z[5]);
    assertEquals(Float.POSITIVE_INFINITY, z[6]);
    Tensor d = Tensor.fromDoubles(TensorType.of(ElementType.F64, 3), new double[] {-1e-300, 1e-300, Double.NaN});
    double[] dz = run("graph.relu", d).doubles();
    assertEquals(0.0, dz[0]);
    assertEquals(1e-300, dz[1]);
    assertTrue(Double.isNaN(dz[2]));
    Tensor h = Tensor.wrap(TensorType.of(ElementType.F16, 3), new short[] {(short) 0xBC00, 0x3C00, 0x7E00});
    assertArrayEquals(new short[] {0, 0x3C00, 0x7E00}, run("graph.relu", h).shorts());
    assertEquals(TensorType.of(ElementType.I8, 2), infer("graph.relu", NONE, TensorType.of(ElementType.I8, 2)));
    assertEquals(dyn(ElementType.F32, Q, 2), infer("graph.relu", NONE, dyn(ElementType.F32, Q, 2)));
  }

  @Test
  void identityPassesAnyTypeAndFolds() {
    var qt = new TensorType(ElementType.U8, Shape.of(2), QuantParams.perTensor(0.5, 3));
    Tensor q = Tensor.fromLongs(qt, new long[] {0, 255});
    Tensor r = run("graph.identity", q);
    assertSame(q.rawData(), r.rawData());
    assertEquals(qt, infer("graph.identity", NONE, qt));
    var b = new GraphBuilder("g", R);
    Value x = b.input("x", TensorType.f32(2));
    Value id = b.op("graph.identity", x);
    assertSame(x, R.get("graph.identity").folders().get(0).fold(id.producer()));
  }
}
