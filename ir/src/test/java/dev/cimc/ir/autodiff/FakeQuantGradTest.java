package dev.cimc.ir.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.type.QuantParams;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fake quantization: the tape's forward equals the q kernels; the STE and LSQ gradients equal the finite
 * differences of the surrogate in which the rounding offsets {@code rint(x/s) − x/s} are frozen at the
 * evaluation point (the function whose exact derivative LSQ defines), times the grad-scale factor.
 */
class FakeQuantGradTest {
  private static final String CONV = """
      graph @g(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
        %x.q = q.quantize(%x) : tensor<1x1x3x3x!q.u8<scale=0.05, zp=20>>
        %x.dq = q.dequantize(%x.q) : tensor<1x1x3x3xf32>
        %w = const dense<[0.3, -0.7, 0.1, 0.2, 0.5, -0.4, 0.9, -0.2, 0.05, -0.3, 0.6, 0.25, -0.15, 0.8, 0.4, -0.9, 0.35, 0.1]> : tensor<2x1x3x3xf32>
        %w.q = q.quantize(%w) : tensor<2x1x3x3x!q.i4<axis=0, scales=[0.125, 0.1], zps=[0, 0]>>
        %w.dq = q.dequantize(%w.q) : tensor<2x1x3x3xf32>
        %c = graph.conv2d(%x.dq, %w.dq) {pads = [1, 1, 1, 1]} : tensor<1x2x3x3xf32>
        %c.q = q.quantize(%c) : tensor<1x2x3x3x!q.u8<scale=0.02, zp=100>>
        %c.dq = q.dequantize(%c.q) : tensor<1x2x3x3xf32>
        %r = graph.relu(%c.dq) : tensor<1x2x3x3xf32>
        return %r
      }
      """;

  @Test
  void forwardEqualsTheQuantizeKernels() {
    Graph g = IrParser.parse(CONV, "fq.cir", Dialects.standard());
    var rnd = new Random(3);
    try (var it = Interpreter.withThreads(1)) {
      for (int t = 0; t < 5; t++) {
        float[] x = new float[9];
        for (int i = 0; i < 9; i++) {
          x[i] = (float) (rnd.nextGaussian() * 3);
        }
        var feed = Map.of("x", Tensor.ofFloats(new int[] {1, 1, 3, 3}, x));
        Tape tape = Tape.forward(g, feed, Parameters.wrt(Set.of("x", "w")), GradRules.standard(), it);
        assertArrayEquals(it.run(g, feed).get("r").floats(), tape.outputs().get("r").floats());
      }
    }
  }

  @Test
  void steAndLsqMatchTheFrozenRoundingSurrogate() {
    check(false, 11);
    check(true, 12);
  }

  private static void check(boolean pow2, long seed) {
    Graph g = IrParser.parse("""
        graph @g(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
          %x.q = q.quantize(%x) : tensor<3x8x!q.i4<axis=0, scales=[0.3, 0.2, 0.45], zps=[1, -2, 0]>>
          %x.dq = q.dequantize(%x.q) : tensor<3x8xf32>
          return %x.dq
        }
        """, "fq.cir", Dialects.standard());
    var fq = FakeQuant.of(QuantParams.perAxis(0, new double[] {0.3, 0.21, 0.47}, new long[] {1, -2, 0}), -7, 7, pow2);
    var rnd = new Random(seed);
    float[] x = new float[24];
    for (int i = 0; i < x.length; i++) {
      int c = i / 8;
      double s = fq.effectiveScale(c);
      long z = fq.zeroPoints()[c];
      double code;
      do {
        x[i] = (float) (rnd.nextGaussian() * 2.5);
        code = Math.rint(x[i] / s) + z;
        // no code on the clamping boundary, no rounding tie: the surrogate is smooth around x
      } while (code == -7 || code == 7 || Math.abs(Math.abs(x[i] / s - Math.floor(x[i] / s)) - 0.5) < 1e-3);
    }
    float[] r = new float[24];
    for (int i = 0; i < r.length; i++) {
      r[i] = (float) rnd.nextGaussian();
    }
    Gradients grads;
    try (var it = Interpreter.withThreads(1)) {
      var params = new Parameters(Map.of(), Map.of("x.q", fq), Set.of("x"));
      Tape tape = Tape.forward(g, Map.of("x", Tensor.ofFloats(new int[] {3, 8}, x)), params, GradRules.standard(), it);
      assertArrayEquals(fq.apply(x, new int[] {3, 8}), tape.outputs().get("x.dq").floats());
      grads = tape.backward(Map.of("x.dq", r));
    }
    int clamped = 0;
    double h = 1e-4;
    for (int i = 0; i < x.length; i++) {
      int c = i / 8;
      double s = fq.effectiveScale(c);
      double delta = Math.rint(x[i] / s) - x[i] / s;
      double fd = r[i] * (surrogate(x[i] + h, s, delta, fq, c) - surrogate(x[i] - h, s, delta, fq, c)) / (2 * h);
      assertEquals(fd, grads.value("x")[i], 1e-4 * Math.max(1, Math.abs(fd)), "dL/dx[" + i + "]");
      clamped += fd == 0 ? 1 : 0;
    }
    assertTrue(clamped > 0 && clamped < x.length, "the draw has clamped and passed elements: " + clamped);
    for (int c = 0; c < 3; c++) {
      double s = fq.effectiveScale(c);
      double fd = 0;
      for (int i = c * 8; i < c * 8 + 8; i++) {
        double delta = Math.rint(x[i] / s) - x[i] / s;
        fd += r[i] * (surrogate(x[i], s + h, delta, fq, c) - surrogate(x[i], s - h, delta, fq, c)) / (2 * h);
      }
      double expected = fd / Math.sqrt(8 * 7.0); // LSQ grad scale 1/√(N·qmax)
      assertEquals(expected, grads.scale("x.q")[c], 1e-4 * Math.max(1, Math.abs(expected)), "dL/ds[" + c + "]");
    }
  }

  /** s·(clamp(x/s + δ + z) − z) with the rounding offset δ frozen. */
  private static double surrogate(double x, double s, double delta, FakeQuant fq, int c) {
    long z = fq.zeroPoints()[c];
    double q = Math.max(fq.qmin(), Math.min(fq.qmax(), x / s + delta + z));
    return s * (q - z);
  }

  @Test
  void powerOfTwoScalesRoundInTheLogDomain() {
    var fq = FakeQuant.of(QuantParams.perTensor(0.3, 0), -8, 7, true);
    assertEquals(0.25, fq.effectiveScale(0));
    assertEquals(0.5, fq.withScales(new double[] {0.36}).effectiveScale(0));
    float[] y = fq.apply(new float[] {0.3f, -5f, 1.1f}, new int[] {3});
    assertArrayEquals(new float[] {0.25f, -2f, 1.0f}, y);
  }

  @Test
  void anOpWithoutARuleIsAUserError() {
    Graph g = IrParser.parse("""
        graph @g(%x: tensor<3xf32>) -> tensor<3xf32> {
          %y = graph.tanh(%x) : tensor<3xf32>
          return %y
        }
        """, "t.cir", Dialects.standard());
    try (var it = Interpreter.withThreads(1)) {
      Tape tape = Tape.forward(g, Map.of("x", Tensor.ofFloats(new int[] {3}, 1, 2, 3)), Parameters.wrt(Set.of("x")),
          GradRules.standard(), it);
      var e = assertThrows(CimcException.class, () -> tape.backward(Map.of("y", new float[3])));
      assertTrue(e.getMessage().contains("no gradient rule for graph.tanh"), e.getMessage());
      // a rule added to the table is used
      GradRules rules = GradRules.standard().with("graph.tanh", st -> {
        float[] y = st.output().floats();
        for (int i = 0; i < y.length; i++) {
          st.gradInput(0)[i] += st.gradOutput()[i] * (1 - y[i] * y[i]);
        }
      });
      Tape t2 = Tape.forward(g, Map.of("x", Tensor.ofFloats(new int[] {3}, 1, 2, 3)), Parameters.wrt(Set.of("x")),
          rules, it);
      float[] gx = t2.backward(Map.of("y", new float[] {1, 1, 1})).value("x");
      assertEquals(1 - Math.pow(Math.tanh(2), 2), gx[1], 1e-6);
    }
  }

  @Test
  void softmaxCrossEntropyMatchesFiniteDifferences() {
    var rnd = new Random(5);
    int batch = 3;
    int classes = 5;
    float[] logits = new float[batch * classes];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (rnd.nextInt(1024) - 512) / 256; // exact in float, and so is ± h below
    }
    int[] labels = {2, 0, 4};
    var loss = SoftmaxCrossEntropy.evaluate(logits, batch, classes, labels);
    double expected0 = 0;
    for (int b = 0; b < batch; b++) {
      double sum = 0;
      for (int j = 0; j < classes; j++) {
        sum += Math.exp(logits[b * classes + j]);
      }
      expected0 += (Math.log(sum) - logits[b * classes + labels[b]]) / batch;
    }
    assertEquals(expected0, loss.value(), 1e-12);
    float h = 1f / 128;
    for (int i = 0; i < logits.length; i++) {
      float[] p = logits.clone();
      float[] m = logits.clone();
      p[i] += h;
      m[i] -= h;
      double fd = (SoftmaxCrossEntropy.evaluate(p, batch, classes, labels).value()
          - SoftmaxCrossEntropy.evaluate(m, batch, classes, labels).value()) / (2 * h);
      assertEquals(fd, loss.gradient()[i], 1e-4 * Math.max(1, Math.abs(fd)), "dL/dlogit[" + i + "]");
    }
    assertThrows(IllegalArgumentException.class, () -> SoftmaxCrossEntropy.evaluate(logits, batch, classes,
        new int[] {1, 5, 0}));
  }
}
