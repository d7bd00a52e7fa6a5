package dev.cimc.ir.dialect;

import static dev.cimc.ir.dialect.OneOp.infer;
import static dev.cimc.ir.dialect.OneOp.inferError;
import static dev.cimc.ir.dialect.OneOp.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Conv2dTest {
  private static final int Q = Shape.DYNAMIC;

  private static TensorType f32(int... dims) {
    return new TensorType(ElementType.F32, Shape.of(dims), null);
  }

  private static Attributes attrs(int[] strides, int[] pads, int[] dilations, int group) {
    return Attributes.of("strides", Attribute.ints(strides), "pads", Attribute.ints(pads),
        "dilations", Attribute.ints(dilations), "group", Attribute.of((long) group));
  }

  private static Tensor random(Random rnd, int... dims) {
    float[] v = new float[(int) Shape.of(dims).numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextDouble() * 2 - 1);
    }
    return Tensor.ofFloats(dims, v);
  }

  /** The ONNX definition, loop by loop, summed in double. Pads are [top, left, bottom, right]. */
  private static float[] naive(Tensor xt, Tensor wt, Tensor bt, int[] s, int[] p, int[] d, int group, int oh, int ow) {
    int n = xt.shape().dim(0);
    int c = xt.shape().dim(1);
    int h = xt.shape().dim(2);
    int w = xt.shape().dim(3);
    int oc = wt.shape().dim(0);
    int kh = wt.shape().dim(2);
    int kw = wt.shape().dim(3);
    int icg = c / group;
    int ocg = oc / group;
    float[] x = xt.floats();
    float[] wv = wt.floats();
    float[] z = new float[n * oc * oh * ow];
    for (int b = 0; b < n; b++) {
      for (int o = 0; o < oc; o++) {
        int g = o / ocg;
        for (int y = 0; y < oh; y++) {
          for (int xx = 0; xx < ow; xx++) {
            double acc = bt == null ? 0 : bt.floats()[o];
            for (int ci = 0; ci < icg; ci++) {
              int chan = g * icg + ci;
              for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++) {
                  int iy = y * s[0] + ky * d[0] - p[0];
                  int ix = xx * s[1] + kx * d[1] - p[1];
                  if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                    acc += (double) x[((b * c + chan) * h + iy) * w + ix] * wv[((o * icg + ci) * kh + ky) * kw + kx];
                  }
                }
              }
            }
            z[((b * oc + o) * oh + y) * ow + xx] = (float) acc;
          }
        }
      }
    }
    return z;
  }

  @Test
  void handComputed() {
    Tensor x = Tensor.ofFloats(new int[] {1, 1, 3, 3}, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    Tensor w = Tensor.ofFloats(new int[] {1, 1, 2, 2}, 1, 0, 0, 1);
    Tensor r = run("graph.conv2d", x, w);
    assertEquals(TensorType.f32(1, 1, 2, 2), r.type());
    assertArrayEquals(new float[] {6, 8, 12, 14}, r.floats());
    Tensor biased = run("graph.conv2d", x, w, Tensor.ofFloats(new int[] {1}, 0.5f));
    assertArrayEquals(new float[] {6.5f, 8.5f, 12.5f, 14.5f}, biased.floats());
    Tensor padded = run("graph.conv2d", attrs(new int[] {2, 2}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 1), x, w);
    assertEquals(TensorType.f32(1, 1, 2, 2), padded.type());
    assertArrayEquals(new float[] {1, 3, 7, 14}, padded.floats());
    // a 2x2 kernel dilated by 2 reads the corners of the 3x3 input
    Tensor dilated = run("graph.conv2d", attrs(new int[] {1, 1}, new int[] {0, 0, 0, 0}, new int[] {2, 2}, 1), x,
        Tensor.ofFloats(new int[] {1, 1, 2, 2}, 1, 10, 100, 1000));
    assertArrayEquals(new float[] {1 + 30 + 700 + 9000}, dilated.floats());
  }

  /** x dims, w dims, strides, pads, dilations, group, bias?, expected output dims. */
  private record Case(int[] x, int[] w, int[] s, int[] p, int[] d, int group, boolean bias, int[] out) {}

  @Test
  void agreesWithTheDefinitionOnRandomData() {
    Case[] cases = {
        new Case(new int[] {1, 1, 5, 5}, new int[] {1, 1, 3, 3}, new int[] {1, 1}, new int[] {0, 0, 0, 0},
            new int[] {1, 1}, 1, false, new int[] {1, 1, 3, 3}),
        new Case(new int[] {1, 2, 5, 5}, new int[] {3, 2, 3, 3}, new int[] {1, 1}, new int[] {1, 1, 1, 1},
            new int[] {1, 1}, 1, true, new int[] {1, 3, 5, 5}),
        new Case(new int[] {1, 2, 6, 5}, new int[] {4, 2, 3, 3}, new int[] {2, 1}, new int[] {1, 0, 2, 1},
            new int[] {1, 1}, 1, false, new int[] {1, 4, 4, 4}),
        new Case(new int[] {1, 3, 9, 9}, new int[] {2, 3, 3, 3}, new int[] {1, 1}, new int[] {2, 2, 2, 2},
            new int[] {2, 2}, 1, true, new int[] {1, 2, 9, 9}),
        new Case(new int[] {2, 2, 7, 9}, new int[] {3, 2, 3, 2}, new int[] {2, 3}, new int[] {0, 1, 2, 0},
            new int[] {1, 2}, 1, true, new int[] {2, 3, 4, 3}),
        new Case(new int[] {1, 4, 6, 6}, new int[] {6, 2, 3, 3}, new int[] {1, 1}, new int[] {1, 1, 1, 1},
            new int[] {1, 1}, 2, true, new int[] {1, 6, 6, 6}),
        new Case(new int[] {2, 3, 5, 5}, new int[] {3, 1, 3, 3}, new int[] {1, 1}, new int[] {1, 1, 1, 1},
            new int[] {1, 1}, 3, true, new int[] {2, 3, 5, 5}),
        new Case(new int[] {1, 3, 8, 8}, new int[] {6, 1, 3, 3}, new int[] {2, 2}, new int[] {1, 1, 0, 0},
            new int[] {1, 1}, 3, false, new int[] {1, 6, 4, 4}),
        new Case(new int[] {1, 8, 4, 4}, new int[] {16, 8, 1, 1}, new int[] {1, 1}, new int[] {0, 0, 0, 0},
            new int[] {1, 1}, 1, true, new int[] {1, 16, 4, 4}),
        new Case(new int[] {1, 2, 3, 3}, new int[] {2, 2, 3, 3}, new int[] {3, 3}, new int[] {0, 0, 0, 0},
            new int[] {1, 1}, 1, false, new int[] {1, 2, 1, 1}),
    };
    var rnd = new Random(3);
    for (int c = 0; c < cases.length; c++) {
      Case k = cases[c];
      Tensor x = random(rnd, k.x());
      Tensor w = random(rnd, k.w());
      Tensor b = k.bias() ? random(rnd, k.w()[0]) : null;
      Attributes a = attrs(k.s(), k.p(), k.d(), k.group());
      Tensor r = b == null ? run("graph.conv2d", a, x, w) : run("graph.conv2d", a, x, w, b);
      assertEquals(TensorType.f32(k.out()), r.type(), "case " + c);
      float[] want = naive(x, w, b, k.s(), k.p(), k.d(), k.group(), k.out()[2], k.out()[3]);
      float[] got = r.floats();
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5, "case " + c + ", element " + i);
      }
    }
  }

  @Test
  void shapeInference() {
    Attributes resnetStem = attrs(new int[] {2, 2}, new int[] {3, 3, 3, 3}, new int[] {1, 1}, 1);
    assertEquals(f32(1, 64, 112, 112), infer("graph.conv2d", resnetStem, f32(1, 3, 224, 224), f32(64, 3, 7, 7)));
    assertEquals(f32(Q, 4, Q, 6), infer("graph.conv2d", Attributes.EMPTY, f32(Q, 3, Q, 8), f32(4, 3, 3, 3)));
    assertEquals(f32(1, 4, 6, 6), infer("graph.conv2d", Attributes.EMPTY, f32(1, Q, 8, 8), f32(4, 3, 3, 3)));
    assertEquals(f32(1, 4, 6, 6), infer("graph.conv2d", Attributes.EMPTY, f32(1, 3, 8, 8), f32(4, 3, 3, 3), f32(Q)));
  }
  // Inference error messages of conv2d are tested verbatim in dialect.graph.ConvOpsTest.
}
