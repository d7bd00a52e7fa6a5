package dev.cimc.ir.quant.qat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** QAT on a small conv net and a synthetic three-class problem. */
class QatTrainerTest {
  private static final OpRegistry R = Dialects.standard();
  private static final int N = 96;

  /** conv 1→2 (3×3, pad 1) + relu + flatten + gemm 32→3: random weights. */
  private static Graph net() {
    var rnd = new Random(7);
    return IrParser.parse("""
        graph @net(%x: tensor<1x1x4x4xf32>) -> tensor<1x3xf32> {
          %w1 = const dense<W1> : tensor<2x1x3x3xf32>
          %b1 = const dense<[0.05, -0.05]> : tensor<2xf32>
          %c = graph.conv2d(%x, %w1, %b1) {pads = [1, 1, 1, 1]} : tensor<1x2x4x4xf32>
          %r = graph.relu(%c) : tensor<1x2x4x4xf32>
          %f = graph.flatten(%r) {axis = 1} : tensor<1x32xf32>
          %w2 = const dense<W2> : tensor<3x32xf32>
          %b2 = const dense<[0.0, 0.1, -0.1]> : tensor<3xf32>
          %logits = graph.gemm(%f, %w2, %b2) {trans_b = 1} : tensor<1x3xf32>
          return %logits
        }
        """.replace("W1", values(rnd, 18, 0.5)).replace("W2", values(rnd, 96, 0.3)), "net.cir", R);
  }

  private static String values(Random rnd, int n, double sd) {
    var sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append((float) (rnd.nextGaussian() * sd));
    }
    return sb.append(']').toString();
  }

  /** Class = which third of the image (rows 0-1, columns 0-1, or the rest) is brightest, plus noise. */
  private static LabelledData data(Graph g, long seed) {
    var rnd = new Random(seed);
    float[] x = new float[N * 16];
    long[] y = new long[N];
    for (int i = 0; i < N; i++) {
      int label = i % 3;
      y[i] = label;
      for (int p = 0; p < 16; p++) {
        int row = p / 4;
        int col = p % 4;
        boolean lit = label == 0 ? row < 2 : label == 1 ? col < 2 && row >= 2 : col >= 2 && row >= 2;
        x[i * 16 + p] = (float) ((lit ? 1.0 : 0.0) + 0.3 * rnd.nextGaussian());
      }
    }
    return LabelledData.of(g, Tensor.wrap(TensorType.of(ElementType.F32, N, 1, 4, 4), x),
        Tensor.ofLongs(new int[] {N}, y), "x", "y");
  }

  private static QuantPlan ptq(Graph g, LabelledData d, int wb, boolean pow2) {
    QuantPlan base = new QuantPlan(new QuantScheme(QuantScheme.Kind.AFFINE, 8, false, false, QuantParams.PER_TENSOR, pow2),
        new QuantScheme(QuantScheme.Kind.AFFINE, wb, true, true, 0, pow2), Map.of(), Map.of());
    return Calibrator.calibrate(g, d.calibration(), Calibrator.Settings.defaults(), Calibrator.Progress.NONE)
        .toPlan(base);
  }

  private static QatTrainer.Settings settings() {
    return QatTrainer.Settings.defaults().withEpochs(4).withBatch(16).withLearningRate(1e-2).withScaleLearningRate(1e-2);
  }

  @Test
  void lossFallsAndTheResultDoesNotDependOnTheThreadCount() {
    Graph g = net();
    String before = dev.cimc.ir.text.IrPrinter.toText(g, dev.cimc.ir.text.PrintOptions.defaults());
    LabelledData d = data(g, 1);
    QuantPlan plan = ptq(g, d, 3, false);
    QatResult one = QatTrainer.train(g, plan, d, null, settings().withThreads(1), R, QatTrainer.Progress.NONE);
    QatResult two = QatTrainer.train(g, plan, d, null, settings().withThreads(3), R, QatTrainer.Progress.NONE);
    assertEquals(before, dev.cimc.ir.text.IrPrinter.toText(g, dev.cimc.ir.text.PrintOptions.defaults()),
        "the input graph is not changed");
    assertTrue(one.epochs().get(3).loss() < 0.7 * one.epochs().get(0).loss(), one.epochs().toString());
    assertEquals(one.epochs(), two.epochs());
    assertEquals(one.plan(), two.plan());
    for (String w : new String[] {"w1", "b1", "w2", "b2"}) {
      assertTrue(constant(one.graph(), w).contentEquals(constant(two.graph(), w)), w);
    }
    assertTrue(!constant(one.graph(), "w1").contentEquals(constant(g, "w1")), "weights were trained");
    QatResult sgd = QatTrainer.train(g, plan, d, null, settings().withOptimizer(QatTrainer.Optimizer.SGD)
        .withLearningRate(0.05), R, QatTrainer.Progress.NONE);
    assertTrue(sgd.epochs().get(3).loss() < sgd.epochs().get(0).loss(), sgd.epochs().toString());
  }

  @Test
  void quantizeAndLowerReproduceTheLearnedScales() {
    Graph g = net();
    LabelledData d = data(g, 2);
    QatResult r = QatTrainer.train(g, ptq(g, d, 3, false), d, d, settings(), R, QatTrainer.Progress.NONE);
    // weights per output channel, the conv result (shared by relu, whose integer op keeps the parameters), the
    // input and the logits: every learnable quantizer, and no other
    assertEquals(java.util.Set.of("w1", "w2", "x", "c", "logits"), r.scales().keySet());
    Graph q = r.graph().copy();
    Quantize.apply(q, r.plan(), R);
    Graph fakeQuant = q.copy();
    for (String w : new String[] {"w1", "w2"}) {
      QuantParams qp = q.value(w + ".q").type().quant();
      double[] learned = r.scales().get(w);
      for (int c = 0; c < learned.length; c++) {
        assertEquals((float) learned[c], qp.scale(c), 0.0, w + " channel " + c);
      }
    }
    for (String a : new String[] {"x", "c", "r", "logits"}) {
      Node quant = quantizerOf(q, a.equals("logits") ? "logits.f" : a);
      double learned = r.scales().get(a.equals("r") ? "c" : a)[0];
      assertEquals((float) learned, quant.result().type().quant().scale(0), 0.0, a);
    }
    LowerToInteger.apply(q, R);
    Verifier.check(q);
    assertTrue(q.nodes().stream().anyMatch(n -> n.op().fullName().equals("q.qconv2d")));
    // the integer graph classifies as the fake-quantized graph it came from
    double fq = QatTrainer.accuracy(fakeQuant, d, 1);
    assertEquals(fq, QatTrainer.accuracy(q, d, 1), 1.0 / N);
    assertEquals(r.epochs().get(r.epochs().size() - 1).accuracy(), fq, 1.0 / N);
    assertTrue(fq > 0.9, "accuracy " + fq);
  }

  @Test
  void powerOfTwoSchemesKeepEveryScaleAPowerOfTwo() {
    Graph g = net();
    LabelledData d = data(g, 3);
    QatResult r = QatTrainer.train(g, ptq(g, d, 4, true), d, null, settings().withEpochs(2), R,
        QatTrainer.Progress.NONE);
    for (double[] s : r.scales().values()) {
      for (double v : s) {
        assertEquals(v, Math.pow(2, Math.rint(Math.log(v) / Math.log(2))), 0.0, "learned scale " + v);
      }
    }
    Graph q = r.graph().copy();
    Quantize.apply(q, r.plan(), R);
    int checked = 0;
    for (Node n : q.nodes()) {
      QuantParams qp = n.result().type().quant();
      if (qp == null || n.result().type().elementType() == ElementType.I32) {
        continue;
      }
      for (int c = 0; c < qp.channels(); c++) {
        double s = qp.scale(c);
        assertEquals(s, Math.pow(2, Math.rint(Math.log(s) / Math.log(2))), 0.0, n.describe());
        checked++;
      }
      String name = n.op() == QDialect.QUANTIZE ? n.operand(0).name().replace(".f", "") : n.result().name().replace(".q", "");
      if (r.scales().containsKey(name) && n.result().type().quant().isPerTensor() == (r.scales().get(name).length == 1)) {
        assertEquals((float) r.scales().get(name)[0], qp.scale(0), 0.0, name);
      }
    }
    assertEquals(10, checked, "x, w1 (2 channels), c, r, f, w2 (3 channels), logits");
  }

  @Test
  void aPlanWeightRangeReplacesTheWeightsOwnMinMax() {
    Graph g = net();
    // the other with* methods keep the weight range
    QuantPlan plan = QuantPlan.withBits(4, 8)
        .withWeightRange("w1", ValueRange.perChannel(new double[] {-0.7, -0.35}, new double[] {0.7, 0.35}))
        .withRange("x", new QuantPlan.Range(0, 1)).withRange("c", new QuantPlan.Range(-1, 1))
        .withWeightScheme("w2", QuantScheme.weights(4, 0)).withRange("logits", new QuantPlan.Range(-2, 2));
    assertNotNull(plan.weightRange("w1"));
    Quantize.apply(g, plan, R);
    Tensor codes = ((Attribute.TensorAttr) g.value("w1.q").producer().attr("value")).value();
    QuantParams qp = codes.type().quant();
    assertEquals(0.1f, qp.scale(0), 0.0); // 0.7 / 7
    assertEquals(0.05f, qp.scale(1), 0.0);
    Tensor floats = constant(net(), "w1");
    for (int i = 0; i < codes.size(); i++) {
      double s = qp.scale(i / 9);
      long want = Math.max(-7, Math.min(7, Math.round(floats.getDouble(i) / s)));
      assertEquals(want, codes.getLong(i), "code " + i);
    }
  }

  @Test
  void samplesMustMatchTheInputAndLabelsTheSamples() {
    Graph g = net();
    var e = assertThrows(CimcException.class, () -> LabelledData.of(g, Tensor.zeros(TensorType.f32(5, 1, 3, 4)),
        Tensor.ofLongs(new int[] {5}, 0, 1, 2, 0, 1), "imgs", "lbls"));
    assertEquals("'imgs' has shape 5x1x3x4, the input 'x' takes 1x1x4x4 per sample", e.getMessage());
    var f = assertThrows(CimcException.class, () -> LabelledData.of(g, Tensor.zeros(TensorType.f32(5, 1, 4, 4)),
        Tensor.zeros(TensorType.f32(5)), "imgs", "lbls"));
    assertEquals("'lbls' holds f32, labels must be integers", f.getMessage());
  }

  private static Node quantizerOf(Graph g, String value) {
    for (Value u : new Value[] {g.value(value)}) {
      for (Node n : u.users()) {
        if (n.op() == QDialect.QUANTIZE) {
          return n;
        }
      }
    }
    throw new AssertionError("no quantize reads %" + value);
  }

  private static Tensor constant(Graph g, String name) {
    return ((Attribute.TensorAttr) g.value(name).producer().attr("value")).value();
  }

  @Test
  void labelledDataSlicesSamples() {
    Graph g = net();
    LabelledData d = data(g, 4);
    assertEquals(N, d.size());
    assertArrayEquals(new int[] {1, 1, 4, 4}, d.sample(5).shape().dims());
    assertEquals(d.samples().getFloat(5 * 16 + 3), d.sample(5).getFloat(3));
    assertEquals(2, d.label(5));
  }
}
