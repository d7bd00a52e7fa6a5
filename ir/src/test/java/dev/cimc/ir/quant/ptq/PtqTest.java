package dev.cimc.ir.quant.ptq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.FakeQuantizer;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PtqTest {
  private static final QuantScheme W4 = QuantScheme.weights(4, 0);

  @Test
  void minMaxPerChannel() {
    Tensor w = Tensor.ofFloats(new int[] {2, 3}, 1, -2, 3, 0.5f, 0.25f, -4);
    assertEquals(ValueRange.perChannel(new double[] {-2, -4}, new double[] {3, 0.5}),
        WeightRanges.minMax(w, QuantScheme.weights(8, 0)));
    assertEquals(ValueRange.perChannel(new double[] {0.5, -2, -4}, new double[] {1, 0.25, 3}),
        WeightRanges.minMax(w, QuantScheme.weights(8, 1)));
  }

  @Test
  void mseClipsAnOutlierWeight() {
    // Channel 0: 1000 weights of 1.0 and one of 10 under 2-bit symmetric codes {-1, 0, 1}. The range
    // [0.1, 1] (scale 1) costs (10 − 1)² = 81; the full range (scale 10) 1000; scale 1.1 costs 89.2.
    // Channel 1 is exact at full range.
    int k = 1001;
    float[] v = new float[2 * k];
    for (int i = 0; i < k; i++) {
      v[i] = i == 0 ? 10 : 1;
      v[k + i] = i % 2 == 0 ? -1 : 1;
    }
    Tensor w = Tensor.ofFloats(new int[] {2, k}, v);
    ValueRange r = WeightRanges.mse(w, QuantScheme.weights(2, 0), 100);
    assertEquals(0.1, r.min(0), 1e-12);
    assertEquals(1.0, r.max(0), 1e-12);
    assertEquals(-1, r.min(1));
    assertEquals(1, r.max(1));
  }

  @Test
  void roundedWeightsQuantizeBackExactly() {
    var rnd = new SplittableRandom(3);
    Tensor w = random(rnd, TensorType.f32(4, 2, 3, 3), 0, 0.3);
    RoundedWeights rw = WeightRanges.roundToNearest(w, W4, WeightRanges.minMax(w, W4));
    Tensor requantized = QDialect.quantize(rw.weights(), rw.codes().type());
    assertArrayEquals(rw.codes().toLongArray(), requantized.toLongArray());
    assertEquals("tensor<4x2x3x3x!q.i4<axis=0, scales=", rw.codes().type().toString().substring(0, 36));
  }

  /** One conv2d layer 4 → 8 channels, 3×3, pad 1, on 1×4×8×8 inputs. */
  private static Graph conv(long seed) {
    var rnd = new SplittableRandom(seed);
    var b = new GraphBuilder("conv", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 4, 8, 8));
    Value w = b.constant("w", random(rnd, TensorType.f32(8, 4, 3, 3), 0, 0.25));
    Value bias = b.constant("b", random(rnd, TensorType.f32(8), 0, 0.1));
    b.output(b.named("y", "graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, w, bias));
    return b.build();
  }

  /** Inputs uniform in [0.5, 1.5]: a mean far from zero, so rounding errors shift the outputs. */
  private static CalibrationData biased(Graph g, int n, long seed) {
    return new CalibrationData() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        var rnd = new SplittableRandom(seed * 1000 + i);
        return Map.of("x", random(rnd, g.inputs().get(0).type(), 1.0, 0.5 / Math.sqrt(3)));
      }

      @Override
      public List<String> warnings() {
        return List.of();
      }
    };
  }

  private static Node layerNode(Graph g) {
    return g.outputs().get(0).producer();
  }

  /** Mean squared output error against the float layer over the samples, for other weights and bias. */
  private static double outputError(Graph g, Tensor w, Tensor b, CalibrationData data) {
    Node n = layerNode(g);
    double sum = 0;
    long count = 0;
    try (Interpreter it = Interpreter.withThreads(1)) {
      for (int i = 0; i < data.size(); i++) {
        Tensor x = data.sample(i).get("x");
        Tensor ref = it.execute(n, new Tensor[] {x, Layer.of(n).weight(), Layer.of(n).bias()})[0];
        Tensor got = it.execute(n, new Tensor[] {x, w, b})[0];
        for (int e = 0; e < ref.size(); e++) {
          double d = ref.getDouble(e) - got.getDouble(e);
          sum += d * d;
        }
        count += ref.size();
      }
    }
    return sum / count;
  }

  @Test
  void biasCorrectionReducesOutputError() {
    Graph g = conv(1);
    Layer layer = Layer.of(layerNode(g));
    RoundedWeights rtn = WeightRanges.roundToNearest(layer.weight(), W4, WeightRanges.minMax(layer.weight(), W4));
    double[] shift = BiasCorrection.shift(g, layer, rtn.weights(), biased(g, 16, 1), 1);
    Tensor corrected = BiasCorrection.correctedBias(layer, shift);
    CalibrationData test = biased(g, 16, 2); // held-out samples
    double before = outputError(g, rtn.weights(), layer.bias(), test);
    double after = outputError(g, rtn.weights(), corrected, test);
    assertTrue(after < 0.9 * before, "bias correction: MSE " + before + " -> " + after);
  }

  @Test
  void adaRoundBeatsRoundToNearestAt4Bits() {
    Graph g = conv(2);
    Layer layer = Layer.of(layerNode(g));
    ValueRange range = WeightRanges.minMax(layer.weight(), W4);
    FakeQuantizer q = FakeQuantizer.of(W4, range);
    var settings = AdaRound.Settings.defaults().withIterations(300);
    RoundedWeights ada = AdaRound.apply(g, layer, W4, range, biased(g, 8, 3), settings, 1);
    RoundedWeights rtn = WeightRanges.roundToNearest(layer.weight(), W4, range);
    assertArrayEquals(ada.codes().toLongArray(),
        QDialect.quantize(ada.weights(), ada.codes().type()).toLongArray());
    assertEquals(rtn.params(), ada.params());
    // Reconstruction error on the cached rows and on held-out rows.
    int k = 4 * 9;
    for (long seed : new long[] {3, 4}) {
      double[] x;
      try (Interpreter it = Interpreter.withThreads(1)) {
        x = LayerInputs.collect(g, layer, biased(g, 8, seed), 4096, 0, it);
      }
      int n = x.length / k;
      double eRtn = AdaRound.reconstructionError(layer.weightMatrix(), rtn.codes().toLongArray(), 8, k, x, n, q);
      double eAda = AdaRound.reconstructionError(layer.weightMatrix(), ada.codes().toLongArray(), 8, k, x, n, q);
      assertTrue(eAda < 0.8 * eRtn, "seed " + seed + ": AdaRound " + eAda + " vs nearest " + eRtn);
    }
  }

  @Test
  void adaRoundOnGemmWithUntransposedWeights() {
    var rnd = new SplittableRandom(5);
    var b = new GraphBuilder("fc", Dialects.standard());
    Value x = b.input("x", TensorType.f32(4, 16));
    Value w = b.constant("w", random(rnd, TensorType.f32(16, 6), 0, 0.3)); // K × N: output channels on axis 1
    b.output(b.named("y", "graph.gemm", Attributes.of(), x, w));
    Graph g = b.build();
    Layer layer = Layer.of(layerNode(g));
    assertEquals(1, layer.weightAxis());
    QuantScheme s = QuantScheme.weights(4, 1);
    ValueRange range = WeightRanges.minMax(layer.weight(), s);
    RoundedWeights ada = AdaRound.apply(g, layer, s, range, biased(g, 4, 0), AdaRound.Settings.defaults()
        .withIterations(200), 1);
    RoundedWeights rtn = WeightRanges.roundToNearest(layer.weight(), s, range);
    long[] a = ada.codes().toLongArray();
    long[] r = rtn.codes().toLongArray();
    for (int i = 0; i < a.length; i++) {
      assertTrue(Math.abs(a[i] - r[i]) <= 1, "AdaRound moves a weight by at most one code");
    }
    assertEquals(QuantParams.perAxis(1, range.params(s).scales(), new long[6]), ada.params());
  }

  @Test
  void ptqResultsFlowThroughTheQuantizePass() {
    Graph g = conv(6);
    Layer layer = Layer.of(layerNode(g));
    CalibrationData data = biased(g, 8, 7);
    ValueRange range = WeightRanges.minMax(layer.weight(), W4);
    RoundedWeights ada = AdaRound.apply(g, layer, W4, range, data, AdaRound.Settings.defaults().withIterations(100), 1);
    Tensor bias = BiasCorrection.correctedBias(layer,
        BiasCorrection.shift(g, layer, ada.weights(), data, 1));
    var plan = Calibrator.calibrate(g, data, Calibrator.Settings.defaults().withThreads(1), Calibrator.Progress.NONE)
        .toPlan(QuantPlan.withBits(4, 8));
    assertEquals(List.of("x", "y"), List.copyOf(plan.activations().keySet()));
    WeightUpdate.setWeights(g, layer, ada.weights());
    WeightUpdate.setBias(g, layer, bias);
    assertEquals(ada.weights(), Layer.constant(g.value("w")));
    Quantize.apply(g, plan, Dialects.standard());
    Tensor codes = Layer.constant(g.value("w.q"));
    assertArrayEquals(ada.codes().toLongArray(), codes.toLongArray());
    double[] want = ada.params().scales();
    double[] got = codes.type().quant().scales();
    for (int c = 0; c < want.length; c++) {
      assertEquals(want[c], got[c], want[c] * 1e-6);
    }
  }

  static Tensor random(SplittableRandom rnd, TensorType t, double mean, double std) {
    float[] v = new float[(int) t.numel()];
    double half = std * Math.sqrt(3);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (mean + half * (2 * rnd.nextDouble() - 1));
    }
    return Tensor.wrap(t, v);
  }

  static Map<String, Tensor> one(String name, Tensor t) {
    var m = new LinkedHashMap<String, Tensor>();
    m.put(name, t);
    return m;
  }
}
