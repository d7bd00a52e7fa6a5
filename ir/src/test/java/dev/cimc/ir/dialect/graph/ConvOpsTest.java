package dev.cimc.ir.dialect.graph;

import static dev.cimc.ir.dialect.graph.SingleOp.assertClose;
import static dev.cimc.ir.dialect.graph.SingleOp.assertValues;
import static dev.cimc.ir.dialect.graph.SingleOp.dims;
import static dev.cimc.ir.dialect.graph.SingleOp.error;
import static dev.cimc.ir.dialect.graph.SingleOp.f32;
import static dev.cimc.ir.dialect.graph.SingleOp.infer;
import static dev.cimc.ir.dialect.graph.SingleOp.random;
import static dev.cimc.ir.dialect.graph.SingleOp.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** conv1d, conv2d, conv_transpose1d and conv_transpose2d: hand cases, random cases against naive loops, errors. */
class ConvOpsTest {
  private static final String[] AUTO_PADS = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};

  private static float[] iota(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i;
    }
    return v;
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  private static float[] twice(float[] v) {
    float[] r = Arrays.copyOf(v, 2 * v.length);
    System.arraycopy(v, 0, r, v.length, v.length);
    return r;
  }

  // ------------------------------------------------------------------ hand-computed cases

  @Test
  void conv2dWithAndWithoutPadding() {
    Tensor x = f32(dims(1, 1, 5, 5), iota(25));
    Tensor w = f32(dims(1, 1, 3, 3), ones(9));
    assertValues(new float[] {54, 63, 72, 99, 108, 117, 144, 153, 162}, run("graph.conv2d", Attributes.EMPTY, x, w));
    Tensor padded = run("graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, w);
    assertEquals(TensorType.f32(1, 1, 5, 5), padded.type());
    assertValues(new float[] {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81, 93, 144, 153, 162, 111,
        72, 111, 117, 123, 84}, padded);
  }

  @Test
  void conv2dStridesAndAsymmetricPadding() {
    Tensor x = f32(dims(1, 1, 7, 5), iota(35));
    Tensor w = f32(dims(1, 1, 3, 3), ones(9));
    assertValues(new float[] {12, 27, 24, 63, 108, 81, 123, 198, 141, 112, 177, 124},
        run("graph.conv2d", Attributes.of("strides", Attribute.ints(2, 2), "pads", Attribute.ints(1, 1, 1, 1)), x, w));
    assertValues(new float[] {54, 72, 144, 162, 234, 252},
        run("graph.conv2d", Attributes.of("strides", Attribute.ints(2, 2)), x, w));
    assertValues(new float[] {21, 33, 99, 117, 189, 207, 171, 183},
        run("graph.conv2d", Attributes.of("strides", Attribute.ints(2, 2), "pads", Attribute.ints(1, 0, 1, 0)), x, w));
  }

  @Test
  void conv2dAutoPadSameLowerWithBias() {
    Tensor x = f32(dims(1, 1, 5, 5), iota(25));
    Tensor w = f32(dims(1, 1, 3, 3), ones(9));
    Tensor b = f32(dims(1), 0.5f);
    var attrs = Attributes.of("auto_pad", Attribute.of("SAME_LOWER"), "strides", Attribute.ints(2, 2),
        "kernel_shape", Attribute.ints(3, 3));
    assertValues(new float[] {12.5f, 27.5f, 24.5f, 63.5f, 108.5f, 81.5f, 72.5f, 117.5f, 84.5f},
        run("graph.conv2d", attrs, x, w, b));
  }

  @Test
  void depthwiseWithMultiplierAndDilation() {
    // 2 channels, 2 output channels per input channel, 2x2 kernel dilated by 2 over a 3x3 input
    Tensor x = f32(dims(1, 2, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90);
    Tensor w = f32(dims(4, 1, 2, 2), 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, 0, 0, 1);
    Tensor y = run("graph.conv2d", Attributes.of("group", Attribute.of(2L), "dilations", Attribute.ints(2, 2)), x, w);
    assertEquals(TensorType.f32(1, 4, 1, 1), y.type());
    assertValues(new float[] {1, 9, 10 + 30 + 70 + 90, -10 + 90}, y);
  }

  @Test
  void paddingLargerThanKernel() {
    Tensor x = f32(dims(1, 1, 1, 2), 1, 2);
    Tensor w = f32(dims(1, 1, 1, 1), 3);
    Tensor y = run("graph.conv2d", Attributes.of("pads", Attribute.ints(0, 3, 1, 2)), x, w);
    assertEquals(TensorType.f32(1, 1, 2, 7), y.type());
    assertValues(new float[] {0, 0, 0, 3, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0}, y);
  }

  @Test
  void conv1d() {
    Tensor x = f32(dims(1, 1, 5), 1, 2, 3, 4, 5);
    Tensor w = f32(dims(1, 1, 2), 1, -1);
    assertValues(new float[] {-1, -1, -1, -1}, run("graph.conv1d", Attributes.EMPTY, x, w));
    assertValues(new float[] {-1, -1, -1, -1, -1, 5}, run("graph.conv1d", Attributes.of("pads", Attribute.ints(1, 1)), x, w));
    assertValues(new float[] {-1, -1, -1},
        run("graph.conv1d", Attributes.of("pads", Attribute.ints(1, 1), "strides", Attribute.ints(2)), x, w));
    assertEquals(TensorType.f32(1, 1, 3), infer("graph.conv1d", Attributes.of("auto_pad", Attribute.of("SAME_UPPER"),
        "strides", Attribute.ints(2)), x.type(), w.type()));
  }

  @Test
  void convTransposeBasicAnd1d() {
    Tensor x = f32(dims(1, 1, 3, 3), iota(9));
    Tensor w = f32(dims(1, 2, 3, 3), ones(18));
    float[] plane = {0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
    assertValues(twice(plane), run("graph.conv_transpose2d", Attributes.EMPTY, x, w));
    Tensor y1 = run("graph.conv_transpose1d", Attributes.EMPTY, f32(dims(1, 1, 3), 0, 1, 2), f32(dims(1, 2, 3), ones(6)));
    assertEquals(TensorType.f32(1, 2, 5), y1.type());
    assertValues(new float[] {0, 1, 3, 3, 2, 0, 1, 3, 3, 2}, y1);
  }

  @Test
  void convTransposePadsStridesAndDilations() {
    Tensor x = f32(dims(1, 1, 3, 3), iota(9));
    Tensor w = f32(dims(1, 2, 3, 3), ones(18));
    float[] plane = {1, 1, 3, 1, 1, 3, 7, 4, 9, 7, 4, 9, 7, 4, 9, 13, 7, 15, 13, 7, 15};
    Tensor y = run("graph.conv_transpose2d",
        Attributes.of("strides", Attribute.ints(3, 2), "pads", Attribute.ints(1, 2, 1, 2)), x, w);
    assertEquals(TensorType.f32(1, 2, 7, 3), y.type());
    assertValues(twice(plane), y);
    Tensor d = run("graph.conv_transpose2d", Attributes.of("dilations", Attribute.ints(2, 2)),
        f32(dims(1, 1, 3, 3), 3, 8, 1, 9, 5, 7, 3, 2, 6), f32(dims(1, 1, 2, 2), 7, 2, 1, 9));
    assertValues(new float[] {21, 56, 13, 16, 2, 63, 35, 67, 10, 14, 24, 22, 76, 76, 21, 9, 5, 88, 45, 63, 3, 2, 33,
        18, 54}, d);
  }

  @Test
  void convTransposeOutputShapeOutputPaddingAndSamePadding() {
    Tensor x = f32(dims(1, 1, 3, 3), iota(9));
    Tensor w = f32(dims(1, 2, 3, 3), ones(18));
    float[] row0 = {0, 0, 1, 1, 3, 2, 2, 0};
    float[] row1 = {3, 3, 7, 4, 9, 5, 5, 0};
    float[] row2 = {6, 6, 13, 7, 15, 8, 8, 0};
    float[] plane = new float[80];
    for (int r = 0; r < 9; r++) {
      System.arraycopy(r < 3 ? row0 : r < 6 ? row1 : row2, 0, plane, r * 8, 8);
    }
    float[] expected = twice(plane);
    assertValues(expected, run("graph.conv_transpose2d",
        Attributes.of("strides", Attribute.ints(3, 2), "output_shape", Attribute.ints(10, 8)), x, w));
    assertValues(expected, run("graph.conv_transpose2d", Attributes.of("strides", Attribute.ints(3, 2),
        "output_padding", Attribute.ints(1, 1), "output_shape", Attribute.ints(1, 2, 10, 8), "kernel_shape",
        Attribute.ints(3, 3)), x, w));
    assertValues(expected, run("graph.conv_transpose2d",
        Attributes.of("strides", Attribute.ints(3, 2), "output_padding", Attribute.ints(1, 1)), x, w));
    float[] same = {0, 0, 1, 1, 3, 2, 0, 0, 1, 1, 3, 2, 3, 3, 8, 5, 12, 7, 3, 3, 7, 4, 9, 5, 9, 9, 20, 11, 24, 13, 6, 6,
        13, 7, 15, 8};
    assertValues(twice(same), run("graph.conv_transpose2d",
        Attributes.of("auto_pad", Attribute.of("SAME_UPPER"), "strides", Attribute.ints(2, 2)), x, w));
  }

  @Test
  void convTransposeGroupsAndBias() {
    Tensor x = f32(dims(1, 2, 3, 3), iota(18));
    Tensor w = f32(dims(2, 1, 3, 3), ones(18));
    Tensor b = f32(dims(2), 1, -1);
    Tensor y = run("graph.conv_transpose2d", Attributes.of("group", Attribute.of(2L)), x, w, b);
    float[] c0 = {0, 1, 3, 3, 2, 3, 8, 15, 12, 7, 9, 21, 36, 27, 15, 9, 20, 33, 24, 13, 6, 13, 21, 15, 8};
    float[] c1 = {9, 19, 30, 21, 11, 21, 44, 69, 48, 25, 36, 75, 117, 81, 42, 27, 56, 87, 60, 31, 15, 31, 48, 33, 17};
    float[] expected = new float[50];
    for (int i = 0; i < 25; i++) {
      expected[i] = c0[i] + 1;
      expected[25 + i] = c1[i] - 1;
    }
    assertValues(expected, y);
  }

  @Test
  void doublePrecisionAndHalfPaths() {
    var r = new Random(7);
    float[] xs = random(r, 2 * 4 * 6 * 5);
    float[] ws = random(r, 6 * 2 * 3 * 2);
    var attrs = Attributes.of("group", Attribute.of(2L), "pads", Attribute.ints(1, 0, 2, 1), "strides",
        Attribute.ints(2, 1));
    Tensor y32 = run("graph.conv2d", attrs, f32(dims(2, 4, 6, 5), xs), f32(dims(6, 2, 3, 2), ws));
    Tensor x64 = f32(dims(2, 4, 6, 5), xs).cast(ElementType.F64);
    Tensor w64 = f32(dims(6, 2, 3, 2), ws).cast(ElementType.F64);
    Tensor y64 = run("graph.conv2d", attrs, x64, w64);
    assertEquals(ElementType.F64, y64.elementType());
    double[] scale = new double[y64.size()];
    Arrays.fill(scale, 12);
    assertClose(y64.doubles(), scale, y32, "f32 vs f64");
    Tensor y16 = run("graph.conv2d", attrs, x64.cast(ElementType.F16), w64.cast(ElementType.F16));
    assertEquals(ElementType.F16, y16.elementType());
    for (int i = 0; i < y16.size(); i++) {
      assertEquals(y64.getDouble(i), y16.getDouble(i), 0.05);
    }
    Tensor t64 = run("graph.conv_transpose2d", Attributes.of("strides", Attribute.ints(2, 2)), x64, f32(dims(4, 3, 2, 2),
        random(r, 48)).cast(ElementType.F64));
    assertEquals(TensorType.of(ElementType.F64, 2, 3, 12, 10), t64.type());
  }

  // ------------------------------------------------------------------ random cases against naive loops

  /** A convolution case in N-D form (spatial rank 1 or 2). */
  private record Case(int n, int c, int[] in, int oc, int group, int[] k, int[] s, int[] d, int[] pads,
      String autoPad, boolean bias, int[] outPad, int[] outShape) {

    int rank() {
      return in.length;
    }

    Attributes attrs() {
      var m = new ArrayList<Object>();
      m.add("strides");
      m.add(Attribute.ints(s));
      m.add("dilations");
      m.add(Attribute.ints(d));
      m.add("group");
      m.add(Attribute.of((long) group));
      m.add("auto_pad");
      m.add(Attribute.of(autoPad));
      if (autoPad.equals("NOTSET") && outShape == null) {
        m.add("pads");
        m.add(Attribute.ints(pads));
      }
      if (outPad != null) {
        m.add("output_padding");
        m.add(Attribute.ints(outPad));
      }
      if (outShape != null) {
        m.add("output_shape");
        m.add(Attribute.ints(outShape));
      }
      return Attributes.of(m.toArray());
    }
  }

  private static int[] randInts(Random r, int n, int lo, int hi) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + r.nextInt(hi - lo + 1);
    }
    return v;
  }

  private static int prod(int[] v) {
    int p = 1;
    for (int x : v) {
      p *= x;
    }
    return p;
  }

  /** Output extents and leading pads of a convolution, from the ONNX formulas; null if the kernel does not fit. */
  private static int[][] convGeometry(Case cs) {
    int r = cs.rank();
    int[] out = new int[r];
    int[] begin = new int[r];
    for (int i = 0; i < r; i++) {
      int eff = (cs.k()[i] - 1) * cs.d()[i] + 1;
      int in = cs.in()[i];
      int s = cs.s()[i];
      switch (cs.autoPad()) {
        case "SAME_UPPER", "SAME_LOWER" -> {
          out[i] = (in + s - 1) / s;
          int total = Math.max(0, (out[i] - 1) * s + eff - in);
          begin[i] = cs.autoPad().equals("SAME_UPPER") ? total / 2 : (total + 1) / 2;
        }
        case "VALID" -> {
          if (in < eff) {
            return null;
          }
          out[i] = (in - eff) / s + 1;
        }
        default -> {
          int span = in + cs.pads()[i] + cs.pads()[r + i] - eff;
          if (span < 0) {
            return null;
          }
          out[i] = span / s + 1;
          begin[i] = cs.pads()[i];
        }
      }
    }
    return new int[][] {out, begin};
  }

  /** Naive convolution over 2-D spatial extents (1-D as height 1): {value, sum of |terms|}. */
  private static double[][] naiveConv(Case cs, int[] out, int[] begin, float[] x, float[] w, float[] b) {
    int h = cs.rank() == 2 ? cs.in()[0] : 1;
    int wd = cs.in()[cs.rank() - 1];
    int kh = cs.rank() == 2 ? cs.k()[0] : 1;
    int kw = cs.k()[cs.rank() - 1];
    int sh = cs.rank() == 2 ? cs.s()[0] : 1;
    int sw = cs.s()[cs.rank() - 1];
    int dh = cs.rank() == 2 ? cs.d()[0] : 1;
    int dw = cs.d()[cs.rank() - 1];
    int ph = cs.rank() == 2 ? begin[0] : 0;
    int pw = begin[cs.rank() - 1];
    int oh = cs.rank() == 2 ? out[0] : 1;
    int ow = out[cs.rank() - 1];
    int icg = cs.c() / cs.group();
    int ocg = cs.oc() / cs.group();
    double[] v = new double[cs.n() * cs.oc() * oh * ow];
    double[] a = new double[v.length];
    for (int bi = 0; bi < cs.n(); bi++) {
      for (int o = 0; o < cs.oc(); o++) {
        for (int y = 0; y < oh; y++) {
          for (int xo = 0; xo < ow; xo++) {
            double acc = b == null ? 0 : b[o];
            double abs = Math.abs(acc);
            for (int ci = 0; ci < icg; ci++) {
              int c = (o / ocg) * icg + ci;
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = y * sh - ph + ky * dh;
                  int ix = xo * sw - pw + kx * dw;
                  if (iy >= 0 && iy < h && ix >= 0 && ix < wd) {
                    double t = (double) x[((bi * cs.c() + c) * h + iy) * wd + ix] * w[((o * icg + ci) * kh + ky) * kw + kx];
                    acc += t;
                    abs += Math.abs(t);
                  }
                }
              }
            }
            int idx = ((bi * cs.oc() + o) * oh + y) * ow + xo;
            v[idx] = acc;
            a[idx] = abs;
          }
        }
      }
    }
    return new double[][] {v, a};
  }

  private static Case randomConvCase(Random r, int rank, boolean big) {
    int group = r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 1;
    int icg = 1 + r.nextInt(big ? 40 : 4);
    int ocg = 1 + r.nextInt(big ? 70 : 3);
    if (r.nextInt(5) == 0) {
      icg = 1; // depthwise
      group = 2 + r.nextInt(4);
    }
    int[] in = randInts(r, rank, 1, big ? 22 : 9);
    int[] k = randInts(r, rank, 1, 4);
    int[] s = randInts(r, rank, 1, 3);
    int[] d = randInts(r, rank, 1, 3);
    int[] pads = randInts(r, 2 * rank, 0, 5);
    String autoPad = r.nextInt(3) == 0 ? AUTO_PADS[r.nextInt(4)] : "NOTSET";
    return new Case(1 + r.nextInt(2), icg * group, in, ocg * group, group, k, s, d, pads, autoPad, r.nextBoolean(),
        null, null);
  }

  private static void checkConv(Random r, Case cs, String what) {
    int[][] geo = convGeometry(cs);
    int[] xDims = new int[cs.rank() + 2];
    int[] wDims = new int[cs.rank() + 2];
    xDims[0] = cs.n();
    xDims[1] = cs.c();
    wDims[0] = cs.oc();
    wDims[1] = cs.c() / cs.group();
    System.arraycopy(cs.in(), 0, xDims, 2, cs.rank());
    System.arraycopy(cs.k(), 0, wDims, 2, cs.rank());
    float[] x = random(r, prod(xDims));
    float[] w = random(r, prod(wDims));
    float[] b = cs.bias() ? random(r, cs.oc()) : null;
    String op = cs.rank() == 1 ? "graph.conv1d" : "graph.conv2d";
    if (geo == null) {
      String msg = error(op, cs.attrs(), TensorType.f32(xDims), TensorType.f32(wDims));
      assertEquals(true, msg.contains("the dilated kernel spans"), msg);
      return;
    }
    Tensor y = b == null ? run(op, cs.attrs(), f32(xDims, x), f32(wDims, w))
        : run(op, cs.attrs(), f32(xDims, x), f32(wDims, w), f32(dims(cs.oc()), b));
    int[] yDims = new int[cs.rank() + 2];
    yDims[0] = cs.n();
    yDims[1] = cs.oc();
    System.arraycopy(geo[0], 0, yDims, 2, cs.rank());
    assertEquals(TensorType.f32(yDims), y.type(), what);
    double[][] ref = naiveConv(cs, geo[0], geo[1], x, w, b);
    assertClose(ref[0], ref[1], y, what);
  }

  @Test
  void randomConv2dAgainstNaive() {
    var r = new Random(20240601);
    for (int i = 0; i < 150; i++) {
      Case cs = randomConvCase(r, 2, false);
      checkConv(r, cs, "case " + i + " " + cs);
    }
  }

  @Test
  void largerConv2dCrossesGemmBlocks() {
    var r = new Random(99);
    for (int i = 0; i < 6; i++) {
      Case cs = randomConvCase(r, 2, true);
      checkConv(r, cs, "case " + i + " " + cs);
    }
    // 1x1 stride-1 convolution: the input is the GEMM operand directly; K > 256, M > 64, N > 256.
    var direct = new Case(2, 300, new int[] {17, 19}, 70, 1, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1},
        new int[4], "NOTSET", true, null, null);
    checkConv(r, direct, "1x1 direct");
    var grouped = new Case(1, 96, new int[] {15, 18}, 80, 4, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1},
        new int[] {1, 1, 1, 1}, "NOTSET", false, null, null);
    checkConv(r, grouped, "grouped 3x3");
  }

  @Test
  void randomConv1dAgainstNaive() {
    var r = new Random(1234);
    for (int i = 0; i < 80; i++) {
      Case cs = randomConvCase(r, 1, false);
      checkConv(r, cs, "case " + i + " " + cs);
    }
  }

  /** Naive transposed convolution with the ONNX/ORT padding rules, over 2-D (1-D as height 1). */
  private static void checkConvTranspose(Random r, Case cs, String what) {
    int rk = cs.rank();
    int[] out = new int[rk];
    int[] begin = new int[rk];
    for (int i = 0; i < rk; i++) {
      int natural = cs.s()[i] * (cs.in()[i] - 1) + cs.outPad()[i] + (cs.k()[i] - 1) * cs.d()[i] + 1;
      boolean same = cs.autoPad().startsWith("SAME");
      if (cs.outShape() != null || same) {
        int want = cs.outShape() != null ? cs.outShape()[i] : cs.in()[i] * cs.s()[i];
        int total = Math.max(0, natural - want);
        begin[i] = cs.autoPad().equals("SAME_LOWER") ? total - total / 2 : total / 2;
        out[i] = want;
      } else if (cs.autoPad().equals("VALID")) {
        out[i] = natural;
      } else {
        begin[i] = cs.pads()[i];
        out[i] = natural - cs.pads()[i] - cs.pads()[rk + i];
      }
    }
    int[] xDims = new int[rk + 2];
    int[] wDims = new int[rk + 2];
    xDims[0] = cs.n();
    xDims[1] = cs.c();
    wDims[0] = cs.c();
    wDims[1] = cs.oc() / cs.group();
    System.arraycopy(cs.in(), 0, xDims, 2, rk);
    System.arraycopy(cs.k(), 0, wDims, 2, rk);
    String op = rk == 1 ? "graph.conv_transpose1d" : "graph.conv_transpose2d";
    if (Arrays.stream(out).anyMatch(o -> o < 1)) {
      error(op, cs.attrs(), TensorType.f32(xDims), TensorType.f32(wDims));
      return;
    }
    float[] x = random(r, prod(xDims));
    float[] w = random(r, prod(wDims));
    float[] b = cs.bias() ? random(r, cs.oc()) : null;
    Tensor y = b == null ? run(op, cs.attrs(), f32(xDims, x), f32(wDims, w))
        : run(op, cs.attrs(), f32(xDims, x), f32(wDims, w), f32(dims(cs.oc()), b));
    int h = rk == 2 ? cs.in()[0] : 1;
    int wd = cs.in()[rk - 1];
    int kh = rk == 2 ? cs.k()[0] : 1;
    int kw = cs.k()[rk - 1];
    int sh = rk == 2 ? cs.s()[0] : 1;
    int sw = cs.s()[rk - 1];
    int dh = rk == 2 ? cs.d()[0] : 1;
    int dw = cs.d()[rk - 1];
    int ph = rk == 2 ? begin[0] : 0;
    int pw = begin[rk - 1];
    int oh = rk == 2 ? out[0] : 1;
    int ow = out[rk - 1];
    int icg = cs.c() / cs.group();
    int ocg = cs.oc() / cs.group();
    double[] v = new double[cs.n() * cs.oc() * oh * ow];
    double[] a = new double[v.length];
    for (int bi = 0; bi < cs.n(); bi++) {
      for (int o = 0; o < cs.oc(); o++) {
        for (int i = 0; i < oh * ow; i++) {
          int idx = (bi * cs.oc() + o) * oh * ow + i;
          v[idx] = b == null ? 0 : b[o];
          a[idx] = Math.abs(v[idx]);
        }
      }
      for (int c = 0; c < cs.c(); c++) {
        int g = c / icg;
        for (int iy = 0; iy < h; iy++) {
          for (int ix = 0; ix < wd; ix++) {
            for (int oj = 0; oj < ocg; oj++) {
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int oy = iy * sh - ph + ky * dh;
                  int ox = ix * sw - pw + kx * dw;
                  if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                    int o = g * ocg + oj;
                    double t = (double) x[((bi * cs.c() + c) * h + iy) * wd + ix] * w[((c * ocg + oj) * kh + ky) * kw + kx];
                    int idx = ((bi * cs.oc() + o) * oh + oy) * ow + ox;
                    v[idx] += t;
                    a[idx] += Math.abs(t);
                  }
                }
              }
            }
          }
        }
      }
    }
    int[] yDims = new int[rk + 2];
    yDims[0] = cs.n();
    yDims[1] = cs.oc();
    System.arraycopy(out, 0, yDims, 2, rk);
    assertEquals(TensorType.f32(yDims), y.type(), what);
    assertClose(v, a, y, what);
  }

  private static Case randomTransposeCase(Random r, int rank) {
    int group = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 1;
    int icg = 1 + r.nextInt(4);
    int ocg = 1 + r.nextInt(3);
    int[] in = randInts(r, rank, 1, 7);
    int[] k = randInts(r, rank, 1, 4);
    int[] s = randInts(r, rank, 1, 3);
    int[] d = randInts(r, rank, 1, 3);
    int[] outPad = new int[rank];
    for (int i = 0; i < rank; i++) {
      outPad[i] = r.nextInt(Math.max(s[i], d[i]));
    }
    int[] pads = randInts(r, 2 * rank, 0, 2);
    String autoPad = r.nextInt(3) == 0 ? AUTO_PADS[r.nextInt(4)] : "NOTSET";
    int[] outShape = null;
    if (autoPad.equals("NOTSET") && r.nextInt(4) == 0) {
      outShape = new int[rank];
      for (int i = 0; i < rank; i++) {
        outShape[i] = Math.max(1, s[i] * (in[i] - 1) + outPad[i] + (k[i] - 1) * d[i] + 1 + r.nextInt(5) - 2);
      }
    }
    return new Case(1 + r.nextInt(2), icg * group, in, ocg * group, group, k, s, d, pads, autoPad, r.nextBoolean(),
        outPad, outShape);
  }

  @Test
  void randomConvTransposeAgainstNaive() {
    var r = new Random(4242);
    for (int i = 0; i < 100; i++) {
      Case cs = randomTransposeCase(r, 2);
      checkConvTranspose(r, cs, "case " + i);
    }
    for (int i = 0; i < 40; i++) {
      Case cs = randomTransposeCase(r, 1);
      checkConvTranspose(r, cs, "1-D case " + i);
    }
    var big = new Case(1, 80, new int[] {9, 11}, 72, 2, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
        new int[] {1, 1, 1, 1}, "NOTSET", true, new int[] {1, 0}, null);
    checkConvTranspose(r, big, "big");
  }

  // ------------------------------------------------------------------ inference errors

  @Test
  void inferenceErrors() {
    TensorType x = TensorType.f32(1, 3, 5, 5);
    TensorType w = TensorType.f32(4, 3, 3, 3);
    assertEquals("graph.conv2d: input must have rank 4 (N×C×H×W), got tensor<1x3x5xf32>",
        error("graph.conv2d", Attributes.EMPTY, TensorType.f32(1, 3, 5), w));
    assertEquals("graph.conv2d: weights must have rank 4 (M×C/group×kH×kW), got tensor<4x3x3xf32>",
        error("graph.conv2d", Attributes.EMPTY, x, TensorType.f32(4, 3, 3)));
    assertEquals("graph.conv1d: input must have rank 3 (N×C×L), got tensor<1x3x5x5xf32>",
        error("graph.conv1d", Attributes.EMPTY, x, w));
    assertEquals("graph.conv2d: weights tensor<4x2x3x3xf32> expect 2 input channels with group 1, the input "
        + "tensor<1x3x5x5xf32> has 3", error("graph.conv2d", Attributes.EMPTY, x, TensorType.f32(4, 2, 3, 3)));
    assertEquals("graph.conv2d: group 3 must divide the output channels (4)",
        error("graph.conv2d", Attributes.of("group", Attribute.of(3L)), x, TensorType.f32(4, 1, 3, 3)));
    assertEquals("graph.conv2d: group must be ≥ 1, got 0",
        error("graph.conv2d", Attributes.of("group", Attribute.of(0L)), x, w));
    assertEquals("graph.conv2d: the dilated kernel spans 5x5 but the padded input is only 5x4",
        error("graph.conv2d", Attributes.of("dilations", Attribute.ints(2, 2)), TensorType.f32(1, 3, 5, 4), w));
    assertEquals("graph.conv2d: auto_pad must be one of NOTSET, SAME_UPPER, SAME_LOWER, VALID, got \"SAME\"",
        error("graph.conv2d", Attributes.of("auto_pad", Attribute.of("SAME")), x, w));
    assertEquals("graph.conv2d: pads [1, 1, 1, 1] cannot be combined with auto_pad = SAME_UPPER",
        error("graph.conv2d", Attributes.of("auto_pad", Attribute.of("SAME_UPPER"), "pads", Attribute.ints(1, 1, 1, 1)),
            x, w));
    assertEquals("graph.conv2d: strides needs 2 values, got [1]",
        error("graph.conv2d", Attributes.of("strides", Attribute.ints(1)), x, w));
    assertEquals("graph.conv2d: strides must be ≥ 1, got [1, 0]",
        error("graph.conv2d", Attributes.of("strides", Attribute.ints(1, 0)), x, w));
    assertEquals("graph.conv2d: pads must be ≥ 0, got [0, -1, 0, 0]",
        error("graph.conv2d", Attributes.of("pads", Attribute.ints(0, -1, 0, 0)), x, w));
    assertEquals("graph.conv2d: kernel_shape [5, 5] does not match the weights tensor<4x3x3x3xf32>",
        error("graph.conv2d", Attributes.of("kernel_shape", Attribute.ints(5, 5)), x, w));
    assertEquals("graph.conv2d: bias must be a vector of 4 elements, got tensor<3xf32>",
        error("graph.conv2d", Attributes.EMPTY, x, w, TensorType.f32(3)));
    assertEquals("graph.conv2d: operand 0 must be a float tensor, got tensor<1x3x5x5xi8>",
        error("graph.conv2d", Attributes.EMPTY, TensorType.of(ElementType.I8, 1, 3, 5, 5), w));
    assertEquals("graph.conv2d: operand 1 has element type f64 but operand 0 has f32",
        error("graph.conv2d", Attributes.EMPTY, x, TensorType.of(ElementType.F64, 4, 3, 3, 3)));
    TensorType tw = TensorType.f32(3, 2, 3, 3);
    assertEquals("graph.conv_transpose2d: weights tensor<4x2x3x3xf32> expect 4 input channels, the input "
        + "tensor<1x3x5x5xf32> has 3", error("graph.conv_transpose2d", Attributes.EMPTY, x, TensorType.f32(4, 2, 3, 3)));
    assertEquals("graph.conv_transpose2d: group 2 must divide the input channels (3)",
        error("graph.conv_transpose2d", Attributes.of("group", Attribute.of(2L)), x, tw));
    assertEquals("graph.conv_transpose2d: output_padding [2, 0] must be smaller than the strides or the dilations",
        error("graph.conv_transpose2d", Attributes.of("output_padding", Attribute.ints(2, 0), "strides",
            Attribute.ints(2, 2)), x, tw));
    assertEquals("graph.conv_transpose2d: output_shape needs 2 (or 4) values, got [7]",
        error("graph.conv_transpose2d", Attributes.of("output_shape", Attribute.ints(7)), x, tw));
    assertEquals("graph.conv_transpose2d: pads [1, 1, 1, 1] cannot be combined with output_shape",
        error("graph.conv_transpose2d", Attributes.of("output_shape", Attribute.ints(7, 7), "pads",
            Attribute.ints(1, 1, 1, 1)), x, tw));
    assertEquals("graph.conv_transpose2d: pads [3, 0, 4, 0] leave no output along spatial dimension 0 (unpadded "
        + "extent 7)", error("graph.conv_transpose2d", Attributes.of("pads", Attribute.ints(3, 0, 4, 0)), x, tw));
    assertEquals("graph.conv_transpose2d: weights must have rank 4 (C×M/group×kH×kW), got tensor<3x2x3xf32>",
        error("graph.conv_transpose2d", Attributes.EMPTY, x, TensorType.f32(3, 2, 3)));
    assertEquals(List.of(TensorType.f32(1, 2, 11, 11)),
        List.of(infer("graph.conv_transpose2d", Attributes.of("strides", Attribute.ints(2, 2)), x, tw)));
  }

  @Test
  void dynamicBatchAndExtents() {
    TensorType x = TensorType.f32(-1, 3, -1, 8);
    assertEquals(TensorType.f32(-1, 4, -1, 4), infer("graph.conv2d", Attributes.of("strides", Attribute.ints(2, 2),
        "pads", Attribute.ints(1, 1, 1, 1)), x, TensorType.f32(4, 3, 3, 3)));
  }
}
