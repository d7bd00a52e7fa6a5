package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.SingleOp.assertValues;
import static dev.cimc.ir.dialect.graph.SingleOp.dims;
import static dev.cimc.ir.dialect.graph.SingleOp.error;
import static dev.cimc.ir.dialect.graph.SingleOp.f32;
import static dev.cimc.ir.dialect.graph.SingleOp.infer;
import static dev.cimc.ir.dialect.graph.SingleOp.random;
import static dev.cimc.ir.dialect.graph.SingleOp.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** max_pool, average_pool, global_max_pool, global_average_pool. */
class PoolOpsTest {

  private static float[] iota1(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i + 1;
    }
    return v;
  }

  private static Attributes k(int... kernel) {
    return Attributes.of("kernel_shape", Attribute.ints(kernel));
  }

  @Test
  void maxAndAveragePoolBasics() {
    Tensor x = f32(dims(1, 1, 4, 4), iota1(16));
    assertValues(new float[] {6, 8, 14, 16}, run("graph.max_pool", k(2, 2).with("strides", Attribute.ints(2, 2)), x));
    assertValues(new float[] {3.5f, 5.5f, 11.5f, 13.5f},
        run("graph.average_pool", k(2, 2).with("strides", Attribute.ints(2, 2)), x));
  }

  @Test
  void ceilMode() {
    Tensor x = f32(dims(1, 1, 4, 4), iota1(16));
    var attrs = k(3, 3).with("strides", Attribute.ints(2, 2)).with("ceil_mode", Attribute.of(1L));
    Tensor y = run("graph.average_pool", attrs, x);
    assertEquals(TensorType.f32(1, 1, 2, 2), y.type());
    assertValues(new float[] {6, 7.5f, 12, 13.5f}, y);
    assertValues(new float[] {11, 12, 15, 16}, run("graph.max_pool", attrs, x));
    // without ceil_mode the partial windows are dropped
    assertValues(new float[] {6}, run("graph.average_pool", attrs.with("ceil_mode", Attribute.of(0L)), x));
    // a last window that would start past the input is dropped even in ceil mode
    Tensor one = run("graph.max_pool", k(1, 1).with("strides", Attribute.ints(2, 2)).with("ceil_mode", Attribute.of(1L)),
        f32(dims(1, 1, 2, 2), 1, 2, 3, 4));
    assertEquals(TensorType.f32(1, 1, 1, 1), one.type());
    assertValues(new float[] {1}, one);
  }

  @Test
  void ceilModeWindowStartingOnPaddingCountsPaddingButNotTheCeilExtension() {
    float[] xs = {0.858f, 0.0786f, 0.2692f, 0.1537f, 0.8816f, 0.4353f, 0.5772f, 0.6623f, 0.9067f, 0.9483f, 0.597f, 0.763f};
    var attrs = k(3, 3).with("strides", Attribute.ints(3, 3)).with("pads", Attribute.ints(1, 1, 1, 1))
        .with("ceil_mode", Attribute.of(1L)).with("count_include_pad", Attribute.of(1L));
    Tensor y = run("graph.average_pool", attrs, f32(dims(1, 3, 2, 2), xs));
    assertEquals(TensorType.f32(1, 3, 1, 1), y.type());
    assertValues(new float[] {(0.858f + 0.0786f + 0.2692f + 0.1537f) / 9, (0.8816f + 0.4353f + 0.5772f + 0.6623f) / 9,
        (0.9067f + 0.9483f + 0.597f + 0.763f) / 9}, y);
    // 1-D: in 5, kernel 2, stride 2, ceil → 3 windows; the last one holds a single element and (no pads) its
    // divisor is 1 with or without count_include_pad
    Tensor c = run("graph.average_pool", k(2).with("strides", Attribute.ints(2)).with("ceil_mode", Attribute.of(1L))
        .with("count_include_pad", Attribute.of(1L)), f32(dims(1, 1, 5), 1, 2, 3, 4, 5));
    assertValues(new float[] {1.5f, 3.5f, 5}, c);
  }

  @Test
  void countIncludePad() {
    Tensor x = f32(dims(1, 1, 3, 3), 1, 1, 1, 1, 1, 1, 1, 1, 1);
    var attrs = k(3, 3).with("pads", Attribute.ints(1, 1, 1, 1));
    assertValues(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, run("graph.average_pool", attrs, x));
    float a = 4f / 9;
    float b = 6f / 9;
    assertValues(new float[] {a, b, a, b, 1, b, a, b, a},
        run("graph.average_pool", attrs.with("count_include_pad", Attribute.of(1L)), x));
  }

  @Test
  void dilations() {
    Tensor x = f32(dims(1, 1, 4, 4), iota1(16));
    var attrs = k(2, 2).with("dilations", Attribute.ints(2, 2));
    assertValues(new float[] {11, 12, 15, 16}, run("graph.max_pool", attrs, x));
    assertValues(new float[] {6, 7, 10, 11}, run("graph.average_pool", attrs.with("ceil_mode", Attribute.of(1L)), x));
  }

  @Test
  void autoPad() {
    Tensor x = f32(dims(1, 1, 5, 5), iota1(25));
    var same = k(3, 3).with("strides", Attribute.ints(2, 2)).with("auto_pad", Attribute.of("SAME_UPPER"));
    assertValues(new float[] {4, 5.5f, 7, 11.5f, 13, 14.5f, 19, 20.5f, 22}, run("graph.average_pool", same, x));
    Tensor x3 = f32(dims(1, 1, 3, 3), iota1(9));
    assertValues(new float[] {5, 6, 6, 8, 9, 9, 8, 9, 9},
        run("graph.max_pool", k(2, 2).with("auto_pad", Attribute.of("SAME_UPPER")), x3));
    assertValues(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
        run("graph.max_pool", k(2, 2).with("auto_pad", Attribute.of("SAME_LOWER")), x3));
    assertValues(new float[] {5, 6, 8, 9}, run("graph.max_pool", k(2, 2).with("auto_pad", Attribute.of("VALID")), x3));
  }

  @Test
  void byteMaxPoolKeepsQuantization() {
    byte[] v = new byte[25];
    for (int i = 0; i < 25; i++) {
      v[i] = (byte) (i + 1);
    }
    var type = new TensorType(ElementType.U8, dev.cimc.ir.type.Shape.of(1, 1, 5, 5), QuantParams.perTensor(0.5, 3));
    Tensor y = run("graph.max_pool", k(5, 5).with("pads", Attribute.ints(2, 2, 2, 2)), Tensor.wrap(type, v));
    assertEquals(type, y.type());
    long[] expected = {13, 14, 15, 15, 15, 18, 19, 20, 20, 20, 23, 24, 25, 25, 25, 23, 24, 25, 25, 25, 23, 24, 25, 25,
        25};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], y.getLong(i));
    }
    // a window over padding only holds the type's minimum
    Tensor s = run("graph.max_pool", k(1).with("pads", Attribute.ints(1, 0)),
        Tensor.wrap(TensorType.of(ElementType.I8, 1, 1, 1), new byte[] {-5}));
    assertEquals(java.util.List.of(-128L, -5L), java.util.List.of(s.getLong(0), s.getLong(1)));
  }

  @Test
  void paddingLargerThanKernel() {
    Tensor x = f32(dims(1, 1, 1, 1), 5);
    var attrs = k(1, 1).with("pads", Attribute.ints(1, 2, 0, 0));
    float ninf = Float.NEGATIVE_INFINITY;
    assertValues(new float[] {ninf, ninf, ninf, ninf, ninf, 5}, run("graph.max_pool", attrs, x));
    float nan = Float.NaN;
    assertValues(new float[] {nan, nan, nan, nan, nan, 5}, run("graph.average_pool", attrs, x));
    assertValues(new float[] {0, 0, 0, 0, 0, 5},
        run("graph.average_pool", attrs.with("count_include_pad", Attribute.of(1L)), x));
  }

  @Test
  void oneAndThreeSpatialDimensions() {
    assertValues(new float[] {3, 3, 5, 5}, run("graph.max_pool", k(2), f32(dims(1, 1, 5), 1, 3, 2, 5, 4)));
    assertValues(new float[] {0.5f, 2, 2.5f, 3.5f, 4.5f, 2}, run("graph.average_pool",
        k(2).with("pads", Attribute.ints(1, 1)).with("count_include_pad", Attribute.of(1L)),
        f32(dims(1, 1, 5), 1, 3, 2, 5, 4)));
    Tensor y = run("graph.average_pool", k(2, 2, 2), f32(dims(1, 1, 2, 2, 3), iota1(12)));
    assertEquals(TensorType.f32(1, 1, 1, 1, 2), y.type());
    assertValues(new float[] {6, 7}, y);
  }

  @Test
  void globalPools() {
    Tensor x = f32(dims(1, 2, 2, 2), 1, 2, 3, 4, -1, -2, -3, -4);
    Tensor avg = run("graph.global_average_pool", Attributes.EMPTY, x);
    assertEquals(TensorType.f32(1, 2, 1, 1), avg.type());
    assertValues(new float[] {2.5f, -2.5f}, avg);
    assertValues(new float[] {4, -1}, run("graph.global_max_pool", Attributes.EMPTY, x));
    Tensor x1 = f32(dims(2, 1, 3), 1, 2, 6, 0, 0, 3);
    assertValues(new float[] {3, 1}, run("graph.global_average_pool", Attributes.EMPTY, x1));
    Tensor h = run("graph.global_average_pool", Attributes.EMPTY, x.cast(ElementType.F16));
    assertEquals(TensorType.of(ElementType.F16, 1, 2, 1, 1), h.type());
    assertEquals(-2.5, h.getDouble(1));
  }

  @Test
  void foldersDropUnitWindowsAndSinglePositionGlobals() {
    var b = new GraphBuilder("f", SingleOp.REGISTRY);
    Value x = b.input("x", TensorType.f32(1, 2, 3, 3));
    Value unit = b.op("graph.max_pool", k(1, 1), x);
    Value strided = b.op("graph.average_pool", k(1, 1).with("strides", Attribute.ints(2, 2)), x);
    Value g = b.op("graph.global_average_pool", unit);
    Value g2 = b.op("graph.global_max_pool", g);
    assertSame(x, fold(unit.producer()));
    assertNull(fold(strided.producer()));
    assertNull(fold(g.producer()));
    assertSame(g, fold(g2.producer()));
  }

  private static Value fold(Node n) {
    return n.op().folders().get(0).fold(n);
  }

  // ------------------------------------------------------------------ random 2-D cases against a naive pool

  @Test
  void randomPoolsAgainstNaive() {
    var r = new Random(11);
    String[] autoPads = {"NOTSET", "NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
    for (int it = 0; it < 120; it++) {
      int[] in = {1 + r.nextInt(8), 1 + r.nextInt(8)};
      int[] kernel = {1 + r.nextInt(3), 1 + r.nextInt(3)};
      int[] s = {1 + r.nextInt(3), 1 + r.nextInt(3)};
      int[] d = {1 + r.nextInt(2), 1 + r.nextInt(2)};
      int[] p = {r.nextInt(3), r.nextInt(3), r.nextInt(3), r.nextInt(3)};
      String autoPad = autoPads[r.nextInt(autoPads.length)];
      boolean ceil = r.nextBoolean();
      boolean max = r.nextBoolean();
      boolean countPad = r.nextBoolean();
      int[] out = new int[2];
      int[] pb = new int[2];
      int[] pe = new int[2];
      boolean fits = true;
      for (int i = 0; i < 2; i++) {
        int eff = (kernel[i] - 1) * d[i] + 1;
        if (autoPad.startsWith("SAME")) {
          out[i] = (in[i] + s[i] - 1) / s[i];
          int total = Math.max(0, (out[i] - 1) * s[i] + eff - in[i]);
          pb[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
          pe[i] = total - pb[i];
        } else if (autoPad.equals("VALID")) {
          fits &= in[i] >= eff;
          out[i] = fits ? (in[i] - eff) / s[i] + 1 : 0;
        } else {
          pb[i] = p[i];
          pe[i] = p[2 + i];
          int span = in[i] + pb[i] + pe[i] - eff;
          fits &= span >= 0;
          if (span >= 0) {
            out[i] = ceil ? (span + s[i] - 1) / s[i] + 1 : span / s[i] + 1;
            if (ceil && (out[i] - 1) * s[i] >= in[i] + pb[i]) {
              out[i]--;
            }
          }
        }
      }
      var list = new ArrayList<Object>(java.util.List.of("kernel_shape", Attribute.ints(kernel), "strides",
          Attribute.ints(s), "dilations", Attribute.ints(d), "auto_pad", Attribute.of(autoPad), "ceil_mode",
          Attribute.of(ceil ? 1L : 0L)));
      if (autoPad.equals("NOTSET")) {
        list.add("pads");
        list.add(Attribute.ints(p));
      }
      if (!max) {
        list.add("count_include_pad");
        list.add(Attribute.of(countPad ? 1L : 0L));
      }
      var attrs = Attributes.of(list.toArray());
      String op = max ? "graph.max_pool" : "graph.average_pool";
      if (!fits) {
        error(op, attrs, TensorType.f32(2, 3, in[0], in[1]));
        continue;
      }
      float[] x = random(r, 2 * 3 * in[0] * in[1]);
      Tensor y = run(op, attrs, f32(dims(2, 3, in[0], in[1]), x));
      assertEquals(TensorType.f32(2, 3, out[0], out[1]), y.type(), "case " + it);
      for (int pl = 0; pl < 6; pl++) {
        for (int oy = 0; oy < out[0]; oy++) {
          for (int ox = 0; ox < out[1]; ox++) {
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            int valid = 0;
            int padded = 0;
            for (int ty = 0; ty < kernel[0]; ty++) {
              for (int tx = 0; tx < kernel[1]; tx++) {
                int iy = oy * s[0] - pb[0] + ty * d[0];
                int ix = ox * s[1] - pb[1] + tx * d[1];
                if (iy < in[0] + pe[0] && ix < in[1] + pe[1]) {
                  padded++;
                }
                if (iy >= 0 && iy < in[0] && ix >= 0 && ix < in[1]) {
                  double v = x[(pl * in[0] + iy) * in[1] + ix];
                  acc = max ? Math.max(acc, v) : acc + v;
                  valid++;
                }
              }
            }
            if (!max) {
              acc /= countPad ? padded : valid;
            }
            double got = y.getDouble((pl * out[0] + oy) * out[1] + ox);
            if (!(Math.abs(got - acc) <= 1e-6) && !(Double.isNaN(acc) && Double.isNaN(got))
                && !(Double.isInfinite(acc) && acc == got)) {
              fail("case " + it + " " + attrs + ": at " + pl + "," + oy + "," + ox + " expected " + acc + " got " + got);
            }
          }
        }
      }
    }
  }

  @Test
  void inferenceErrors() {
    TensorType x = TensorType.f32(1, 1, 4, 4);
    assertEquals("graph.max_pool: kernel_shape needs 2 values, got [3]", error("graph.max_pool", k(3), x));
    assertEquals("graph.max_pool: input must have rank 3 to 5 (N×C and 1 to 3 spatial dimensions), got tensor<4x4xf32>",
        error("graph.max_pool", k(3), TensorType.f32(4, 4)));
    assertEquals("graph.global_max_pool: input must have rank 3 to 5 (N×C and 1 to 3 spatial dimensions), got "
        + "tensor<1x1x2x2x2x2xf32>", error("graph.global_max_pool", Attributes.EMPTY, TensorType.f32(1, 1, 2, 2, 2, 2)));
    assertEquals("graph.average_pool: operand 0 must be a float tensor, got tensor<1x1x4x4xi8>",
        error("graph.average_pool", k(2, 2), TensorType.of(ElementType.I8, 1, 1, 4, 4)));
    assertEquals("graph.max_pool: operand 0 must be a float, i8 or u8 tensor, got tensor<1x1x4x4xi32>",
        error("graph.max_pool", k(2, 2), TensorType.of(ElementType.I32, 1, 1, 4, 4)));
    assertEquals("graph.max_pool: the dilated kernel spans 5x5 but the padded input is only 4x4",
        error("graph.max_pool", k(3, 3).with("dilations", Attribute.ints(2, 2)), x));
    assertEquals("graph.max_pool: kernel_shape must be ≥ 1, got [0, 2]", error("graph.max_pool", k(0, 2), x));
    assertEquals("graph.average_pool: pads needs 4 values, got [1, 1]",
        error("graph.average_pool", k(2, 2).with("pads", Attribute.ints(1, 1)), x));
    assertEquals("graph.max_pool: missing required attribute 'kernel_shape' (" + dev.cimc.ir.attr.AttrKind.INTS.description()
        + ")", error("graph.max_pool", Attributes.EMPTY, x));
    assertEquals(TensorType.f32(-1, 1, 2, -1), infer("graph.max_pool", k(2, 2).with("strides", Attribute.ints(2, 2)),
        TensorType.f32(-1, 1, 4, -1)));
  }
}
