package dev.cimc.ir.dialect.q;

import static dev.cimc.ir.dialect.q.QOps.codes;
import static dev.cimc.ir.dialect.q.QOps.error;
import static dev.cimc.ir.dialect.q.QOps.longs;
import static dev.cimc.ir.dialect.q.QOps.perAxis;
import static dev.cimc.ir.dialect.q.QOps.perTensor;
import static dev.cimc.ir.dialect.q.QOps.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

/** Every integer q kernel on small hand-computed cases, bit for bit (each run on 1 and 3 threads). */
class QKernelsTest {
  private static final ElementType U8 = ElementType.U8;
  private static final ElementType I8 = ElementType.I8;
  private static final ElementType I32 = ElementType.I32;

  /** 3×3 input with codes 0..8, zero point 2. */
  private static Tensor nine() {
    return codes(perTensor(U8, 0.5, 2, 1, 1, 3, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void qconv2dSumsRawCodesPlusBias() {
    Tensor w = codes(perTensor(I8, 1, 0, 1, 1, 2, 2), 1, -1, 2, 0);
    Tensor b = codes(perTensor(I32, 0.5, 0, 1), 100);
    // out[y][x] = x[y][x] − x[y][x+1] + 2·x[y+1][x]
    Tensor out = run("q.qconv2d", Attributes.EMPTY, null, nine(), w, b);
    assertArrayEquals(new long[] {105, 107, 111, 113}, longs(out));
    assertEquals(new TensorType(I32, dev.cimc.ir.type.Shape.of(1, 1, 2, 2),
        dev.cimc.ir.type.QuantParams.perTensor(0.5, 0)), out.type());
  }

  @Test
  void qconv2dPadsWithTheInputZeroPoint() {
    Tensor w = codes(perTensor(I8, 1, 0, 1, 1, 2, 2), 1, -1, 2, 0);
    // one padded row on top, holding z = 2: the first output row is 2 − 2 + 2·x[0][x]
    Tensor out = run("q.qconv2d", Attributes.of("pads", Attribute.ints(1, 0, 0, 0)), null, nine(), w);
    assertArrayEquals(new long[] {0, 2, 5, 7, 11, 13}, longs(out));
  }

  @Test
  void qconv2dPerChannelGroups() {
    // two groups of one channel; per-channel weight scales; channel 1 reads input channel 1
    Tensor x = codes(perTensor(U8, 1, 0, 1, 2, 1, 2), 1, 2, 3, 4);
    Tensor w = codes(perAxis(I8, 0, new double[] {0.5, 0.25}, 2, 1, 1, 2), 1, 1, 1, -1);
    Tensor out = run("q.qconv2d", Attributes.of("group", Attribute.of(2L)), null, x, w);
    assertArrayEquals(new long[] {3, -1}, longs(out));
    assertEquals("tensor<1x2x1x1x!q.i32<axis=1, scales=[0.5, 0.25], zps=[0, 0]>>", out.type().toString());
  }

  @Test
  void qgemmWithAndWithoutTransposedWeights() {
    Tensor a = codes(perTensor(U8, 0.5, 9, 2, 3), 1, 2, 3, 4, 5, 6);
    Tensor w = codes(perAxis(I8, 1, new double[] {1, 0.5}, 3, 2), 1, 0, 0, 1, 1, -1);
    Tensor wt = codes(perAxis(I8, 0, new double[] {1, 0.5}, 2, 3), 1, 0, 1, 0, 1, -1);
    Tensor bias = codes(perAxis(I32, 0, new double[] {0.5, 0.25}, 2), 10, -10);
    assertArrayEquals(new long[] {14, -11, 20, -11}, longs(run("q.qgemm", Attributes.EMPTY, null, a, w, bias)));
    assertArrayEquals(new long[] {14, -11, 20, -11},
        longs(run("q.qgemm", Attributes.of("trans_b", Attribute.of(1L)), null, a, wt, bias)));
  }

  @Test
  void qgemmTakesLeadingDimensionsAsRows() {
    Tensor a = codes(perTensor(U8, 0.5, 9, 2, 1, 3), 1, 2, 3, 4, 5, 6);
    Tensor w = codes(perAxis(I8, 1, new double[] {1, 0.5}, 3, 2), 1, 0, 0, 1, 1, -1);
    Tensor out = run("q.qgemm", Attributes.EMPTY, null, a, w);
    assertArrayEquals(new long[] {4, -1, 10, -1}, longs(out));
    assertEquals("tensor<2x1x2x!q.i32<axis=2, scales=[0.5, 0.25], zps=[0, 0]>>", out.type().toString());
  }

  @Test
  void qmatmulSubtractsBothZeroPoints() {
    Tensor a = codes(perTensor(U8, 0.5, 1, 1, 2, 2), 1, 2, 3, 4); // a − z = [[0, 1], [2, 3]]
    Tensor b = codes(perTensor(I8, 0.25, -1, 1, 2, 2), 0, 1, 2, -1); // b − z = [[1, 2], [3, 0]]
    Tensor out = run("q.qmatmul", Attributes.EMPTY, null, a, b);
    assertArrayEquals(new long[] {3, 0, 11, 4}, longs(out));
    assertEquals("tensor<1x2x2x!q.i32<scale=0.125, zp=0>>", out.type().toString());
  }

  private static Attributes rq(long m, long s) {
    return Attributes.of("multiplier", Attribute.ints(m), "shift", Attribute.ints(s));
  }

  @Test
  void requantizeRoundsTiesToEvenAndSaturates() {
    Tensor acc = codes(perTensor(I32, 1, 0, 8), 2, 6, -2, -6, 10, -10, 1000, -1000);
    // M = 1/4 = 2^30 · 2^-32: acc/4 = 0.5, 1.5, -0.5, -1.5, 2.5, -2.5, 250, -250
    Tensor out = run("q.requantize", rq(1 << 30, 1), perTensor(I8, 4, 0, 8), acc);
    assertArrayEquals(new long[] {0, 2, 0, -2, 2, -2, 127, -128}, longs(out));
    Tensor shifted = run("q.requantize", rq(1 << 30, 1), perTensor(U8, 4, 5, 8), acc);
    assertArrayEquals(new long[] {5, 7, 5, 3, 7, 3, 255, 0}, longs(shifted));
  }

  @Test
  void requantizeByANonPowerOfTwoAndALeftShift() {
    Tensor acc = codes(perTensor(I32, 0.3, 0, 3), 1000, -1000, 7);
    // M = 0.3: 300, -300 (saturates), 2.1 → 2
    assertArrayEquals(new long[] {127, -128, 2},
        longs(run("q.requantize", rq(1288490189, 1), perTensor(I8, 1, 0, 3), acc)));
    // M = 2 = 2^30 · 2^-29: shift -2
    Tensor small = codes(perTensor(I32, 2, 0, 3), 3, -3, 60);
    assertArrayEquals(new long[] {6, -6, 120}, longs(run("q.requantize", rq(1 << 30, -2), perTensor(I8, 1, 0, 3), small)));
  }

  @Test
  void requantizeAndQaddClampToTheirBounds() {
    Tensor acc = codes(perTensor(I32, 1, 0, 6), -40, -8, 0, 8, 40, 400);
    // M = 1/4, z_out = 10: 0, 8, 10, 12, 20, 110 → clamped to [10, 18] (a fused relu6 with Q(0) = 10, Q(6) = 18)
    Attributes a = rq(1 << 30, 1).with("min", Attribute.of(10L)).with("max", Attribute.of(18L));
    assertArrayEquals(new long[] {10, 10, 10, 12, 18, 18}, longs(run("q.requantize", a, perTensor(U8, 4, 10, 6), acc)));
    Tensor x = codes(perTensor(U8, 1, 5, 3), 0, 5, 9);
    Tensor y = codes(perTensor(U8, 1, 5, 3), 5, 5, 9);
    // (x − 5) + (y − 5) = −5, 0, 8 with M = 1 (2^30 · 2^-30), z_out = 5, relu: min = 5
    Attributes add = Attributes.of("multipliers", Attribute.ints(1 << 30, 1 << 30), "shift", Attribute.of(30L),
        "min", Attribute.of(5L));
    assertArrayEquals(new long[] {5, 5, 13}, longs(run("q.qadd", add, perTensor(U8, 1, 5, 3), x, y)));
    assertEquals("clamp bounds [20, 10] must be ordered codes of u8 [0, 255]", error("q.requantize",
        rq(1 << 30, 1).with("min", Attribute.of(20L)).with("max", Attribute.of(10L)), perTensor(U8, 4, 10, 6),
        perTensor(I32, 1, 0, 6)));
  }

  @Test
  void minAndMaxTakeBoundsPerChannel() {
    Tensor x = codes(perTensor(U8, 0.5, 3, 1, 2, 3), 0, 5, 9, 2, 7, 12);
    Tensor b = codes(perTensor(U8, 0.5, 3, 2, 1), 6, 4); // channel 0 at 6, channel 1 at 4
    assertArrayEquals(new long[] {0, 5, 6, 2, 4, 4}, longs(run("q.min", Attributes.EMPTY, null, x, b)));
    assertArrayEquals(new long[] {6, 6, 9, 4, 7, 12}, longs(run("q.max", Attributes.EMPTY, null, x, b)));
    assertEquals("bound must have the element type and parameters of x (tensor<1x2x3x!q.u8<scale=0.5, zp=3>>), got "
        + "tensor<2x1x!q.u8<scale=0.25, zp=3>>", error("q.min", Attributes.EMPTY, null, perTensor(U8, 0.5, 3, 1, 2, 3),
        perTensor(U8, 0.25, 3, 2, 1)));
  }

  @Test
  void log2ExpandGivesSignedPowersOfTwo() {
    TensorType t = perAxis(I8, 0, new double[] {0.015625, 0.5}, 2, 3);
    Tensor c = codes(t, 7, -1, 0, 3, -7, 5);
    Tensor out = run("q.log2_expand", Attributes.of("bits", Attribute.of(4L)), t, c);
    assertArrayEquals(new long[] {64, -1, 0, 4, -64, 16}, longs(out));
  }

  @Test
  void requantizePerChannel() {
    Tensor acc = codes(perAxis(I32, 1, new double[] {0.5, 0.25}, 1, 2, 2), 3, 5, 3, 5);
    // channel 0: M = 0.5 → 1.5 → 2, 2.5 → 2; channel 1: M = 0.25 → 0.75 → 1, 1.25 → 1
    Attributes a = Attributes.of("multiplier", Attribute.ints(1 << 30, 1 << 30), "shift", Attribute.ints(0, 1));
    assertArrayEquals(new long[] {2, 2, 1, 1}, longs(run("q.requantize", a, perTensor(I8, 1, 0, 1, 2, 2), acc)));
  }

  @Test
  void requantizeMultiplierMustMatchTheScales() {
    assertEquals("channel 0: multiplier 1073741824 with shift 0 is 0.5 but the scales give 0.25 (expected "
        + "1073741824 · 2^-32)", error("q.requantize", rq(1 << 30, 0), perTensor(I8, 4, 0, 2), perTensor(I32, 1, 0, 2)));
  }

  @Test
  void qaddRescalesBothOperandsOnce() {
    Tensor a = codes(perTensor(U8, 0.5, 10, 3), 10, 13, 255); // 0, 1.5, 122.5
    Tensor b = codes(perTensor(U8, 0.25, 0, 3), 0, 2, 255); // 0, 0.5, 63.75
    Attributes at = Attributes.of("multipliers", Attribute.ints(1 << 30, 1 << 29), "shift", Attribute.of(31L));
    // sums 0, 2, 186.25 in units of the output scale 1, plus zp 3
    assertArrayEquals(new long[] {3, 5, 189}, longs(run("q.qadd", at, perTensor(U8, 1, 3, 3), a, b)));
    // broadcasting a row over a matrix: 0.5 + 0.25 → 1, 0 + 0.5 → 0 (tie to even), 1 + 0.25 → 1, 0.5 + 0.5 = 1
    Tensor m = codes(perTensor(U8, 0.5, 10, 2, 2), 11, 10, 12, 11);
    Tensor r = codes(perTensor(U8, 0.25, 0, 2), 1, 2);
    assertArrayEquals(new long[] {4, 3, 4, 4}, longs(run("q.qadd", at, perTensor(U8, 1, 3, 2, 2), m, r)));
  }

  @Test
  void reluClipAndLut() {
    Tensor x = codes(perTensor(U8, 0.1, 128, 4), 100, 128, 200, 255);
    assertArrayEquals(new long[] {128, 128, 200, 255}, longs(run("q.relu", Attributes.EMPTY, null, x)));
    assertArrayEquals(new long[] {110, 128, 200, 210},
        longs(run("q.clip", Attributes.of("min", Attribute.of(110L), "max", Attribute.of(210L)), null, x)));
    Tensor s = codes(perTensor(ElementType.I4, 1, 0, 4), -8, -1, 0, 7);
    long[] table = new long[16];
    for (int i = 0; i < 16; i++) {
      table[i] = 15 - i; // indexed by code + 8
    }
    assertArrayEquals(new long[] {15, 8, 7, 0}, longs(run("q.lut", Attributes.of("table", Attribute.ints(table)),
        perTensor(ElementType.U4, 1, 0, 4), s)));
    assertEquals("table needs 16 entries (one per code of i4), got 3", error("q.lut",
        Attributes.of("table", Attribute.ints(1, 2, 3)), perTensor(ElementType.U4, 1, 0, 4), s.type()));
  }

  @Test
  void maxPool() {
    Attributes k2 = Attributes.of("kernel_shape", Attribute.ints(2, 2));
    assertArrayEquals(new long[] {4, 5, 7, 8}, longs(run("q.max_pool", k2, null, nine())));
    Attributes padded = Attributes.of("kernel_shape", Attribute.ints(2, 2), "pads", Attribute.ints(1, 1, 0, 0),
        "strides", Attribute.ints(2, 2));
    assertArrayEquals(new long[] {0, 2, 6, 8}, longs(run("q.max_pool", padded, null, nine())));
  }

  @Test
  void averagePoolRescalesOncePerCount() {
    Attributes k2 = Attributes.of("kernel_shape", Attribute.ints(2, 2));
    Tensor x = codes(perTensor(U8, 1, 0, 1, 1, 3, 3), 0, 1, 2, 3, 4, 5, 6, 7, 8);
    // window sums 8, 12, 20, 24 over 4: 2, 3, 5, 6
    assertArrayEquals(new long[] {2, 3, 5, 6}, longs(run("q.average_pool", k2, perTensor(U8, 1, 0, 1, 1, 2, 2), x)));
    // output scale 2: 1, 1.5 → 2, 2.5 → 2, 3; zero point 7
    assertArrayEquals(new long[] {8, 9, 9, 10}, longs(run("q.average_pool", k2, perTensor(U8, 2, 7, 1, 1, 2, 2), x)));
    Tensor four = codes(perTensor(U8, 1, 1, 1, 1, 2, 2), 5, 5, 5, 5); // real value 4 each
    Attributes pads = Attributes.of("kernel_shape", Attribute.ints(2, 2), "pads", Attribute.ints(1, 1, 1, 1),
        "strides", Attribute.ints(2, 2));
    assertArrayEquals(new long[] {5, 5, 5, 5}, longs(run("q.average_pool", pads, perTensor(U8, 1, 1, 1, 1, 2, 2), four)));
    assertArrayEquals(new long[] {2, 2, 2, 2}, longs(run("q.average_pool", pads.with("count_include_pad",
        Attribute.of(1L)), perTensor(U8, 1, 1, 1, 1, 2, 2), four)));
  }

  @Test
  void softmaxByPowersOfTwo() {
    long[] table = new long[16];
    for (int d = 0; d < 16; d++) {
      table[d] = 1L << (24 - d); // exp(−s·d) with s = ln 2
    }
    Tensor x = codes(perTensor(ElementType.U4, Math.log(2), 0, 1, 4), 3, 2, 1, 0);
    Attributes a = Attributes.of("exp_table", Attribute.ints(table), "multiplier", Attribute.of(1L << 32));
    // e = 2^24, 2^23, 2^22, 2^21; S = 15 · 2^21; out = round(e · 256 / S) = 136.5→137, 68.3, 34.1, 17.1
    assertArrayEquals(new long[] {137, 68, 34, 17}, longs(run("q.softmax", a, perTensor(U8, 1.0 / 256, 0, 1, 4), x)));
    assertEquals("multiplier must be round(2^24 / output scale) = 4278190080 (at most 2^38), got 4294967296",
        error("q.softmax", a, perTensor(U8, 1.0 / 255, 0, 1, 4), x.type()));
  }

  @Test
  void layerNormNormalizesExactly() {
    Tensor x = codes(perTensor(U8, 1, 128, 1, 4), 129, 131, 133, 135); // d = 1, 3, 5, 7
    // y = (4d − 16)/√80 = −1.342, −0.447, 0.447, 1.342; γ = 1, β = 0, s_out = 0.25 → round(4y) = −5, −2, 2, 5
    Attributes a = Attributes.of("gamma", Attribute.ints(16, 16, 16, 16), "beta", Attribute.ints(0, 0, 0, 0), "shift",
        Attribute.of(2L));
    assertArrayEquals(new long[] {123, 126, 130, 133}, longs(run("q.layer_norm", a, perTensor(U8, 0.25, 128, 1, 4), x)));
    // β = 1 → beta = 1 / 0.25 · 2^(22+2) = 67108864: everything moves up by 4 codes
    Attributes b = a.with("beta", Attribute.ints(67108864, 67108864, 67108864, 67108864));
    assertArrayEquals(new long[] {127, 130, 134, 137}, longs(run("q.layer_norm", b, perTensor(U8, 0.25, 128, 1, 4), x)));
    // a constant row has no variance: the output is β
    Tensor flat = codes(perTensor(U8, 1, 128, 1, 4), 9, 9, 9, 9);
    assertArrayEquals(new long[] {132, 132, 132, 132},
        longs(run("q.layer_norm", b, perTensor(U8, 0.25, 128, 1, 4), flat)));
  }

  @Test
  void isqrtIsTheExactFloor() {
    for (long v : new long[] {0, 1, 2, 3, 4, 15, 16, 17, (1L << 62) - 1, 1L << 62, 999_999_999_999L}) {
      long r = QNormOps.isqrt(v);
      assertEquals(true, r * r <= v && (r + 1) * (r + 1) > v, "isqrt(" + v + ") = " + r);
    }
  }

  @Test
  void verbatimInferenceErrors() {
    TensorType x = perTensor(U8, 0.5, 2, 1, 1, 3, 3);
    assertEquals("weights must be symmetric (zero points 0), per tensor or per output channel (axis 0), got "
        + "tensor<1x1x2x2x!q.i8<scale=1.0, zp=1>>",
        error("q.qconv2d", Attributes.EMPTY, null, x, perTensor(I8, 1, 1, 1, 1, 2, 2)));
    assertEquals("bias scale 1.0 of channel 0 must be input scale × weight scale = 0.5",
        error("q.qconv2d", Attributes.EMPTY, null, x, perTensor(I8, 1, 0, 1, 1, 2, 2), perTensor(I32, 1, 0, 1)));
    assertEquals("input must be quantized per tensor, got tensor<1x1x3x3x!q.u8<axis=1, scales=[0.5], zps=[0]>>",
        error("q.qconv2d", Attributes.EMPTY, null, perAxis(U8, 1, new double[] {0.5}, 1, 1, 3, 3),
            perTensor(I8, 1, 0, 1, 1, 2, 2)));
    assertEquals("operand a: multiplier 1073741824 with shift 0 is 0.5 but the scales give 1.0 (expected "
        + "1073741824 · 2^-30)", error("q.qadd", Attributes.of("multipliers", Attribute.ints(1 << 30, 1 << 30), "shift",
        Attribute.of(31L)), perTensor(U8, 1, 0, 2), perTensor(U8, 1, 0, 2), perTensor(U8, 1, 0, 2)));
    assertEquals("bounds [10, 5] must be ordered codes of u8 [0, 255]", error("q.clip",
        Attributes.of("min", Attribute.of(10L), "max", Attribute.of(5L)), null, perTensor(U8, 1, 0, 2)));
  }
}
