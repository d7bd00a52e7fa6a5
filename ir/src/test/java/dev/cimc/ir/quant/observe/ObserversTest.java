package dev.cimc.ir.quant.observe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ObserversTest {
  private static final int T = QuantParams.PER_TENSOR;
  private static final QuantScheme U2 = new QuantScheme(QuantScheme.Kind.AFFINE, 2, false, false, T, false);

  private static Tensor vec(float... v) {
    return Tensor.ofFloats(new int[] {v.length}, v);
  }

  @Test
  void minMaxPerTensorIgnoresNonFinite() {
    var o = new MinMaxObserver(T);
    o.observe(vec(1, -2, 3));
    o.observe(vec(5, 0, Float.NaN, Float.POSITIVE_INFINITY));
    assertEquals(ValueRange.perTensor(-2, 5), o.range());
    assertEquals(2, o.observed());
  }

  @Test
  void minMaxPerChannel() {
    var o = new MinMaxObserver(1);
    // [[1, 2], [3, -4]]: channel 0 holds 1 and 3, channel 1 holds 2 and -4.
    o.observe(Tensor.ofFloats(new int[] {2, 2}, 1, 2, 3, -4));
    assertEquals(ValueRange.perChannel(new double[] {1, -4}, new double[] {3, 2}), o.range());
    var e = assertThrows(IllegalArgumentException.class, () -> o.observe(Tensor.ofFloats(new int[] {1, 3}, 1, 2, 3)));
    assertEquals("observer saw 2 channels along axis 1 before, now 3 (tensor<1x3xf32>)", e.getMessage());
  }

  @Test
  void movingAverage() {
    var o = new MovingAverageMinMaxObserver(T, 0.9);
    o.observe(vec(0, 10));
    assertEquals(ValueRange.perTensor(0, 10), o.range());
    o.observe(vec(-10, 20));
    // min = 0.9·0 + 0.1·(−10) = −1, max = 0.9·10 + 0.1·20 = 11
    ValueRange r = o.range();
    assertEquals(-1, r.min(0), 1e-12);
    assertEquals(11, r.max(0), 1e-12);
  }

  @Test
  void histogramGrowsByExactMerging() {
    var h = new Histogram(4, false);
    h.cover(0, 4);
    h.add(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, 0, 4);
    assertArrayEquals(new double[] {1, 1, 1, 1}, h.counts());
    h.cover(0, 8); // k = 2: [0, 8) in bins of 2
    assertEquals(2, h.width());
    assertArrayEquals(new double[] {2, 2, 0, 0}, h.counts());
    assertEquals(0.5 + 1.5, h.sum(0));
    h.cover(-2, 8); // one old bin below, k = 2: [-2, 14) in bins of 4; old bin i goes to (1 + i) / 2
    assertEquals(-2, h.lo());
    assertEquals(4, h.width());
    assertArrayEquals(new double[] {2, 2, 0, 0}, h.counts());
    assertEquals(2.5 + 3.5, h.sum(1));
    assertEquals(4, h.total());
  }

  @Test
  void histogramStartsAtAPoint() {
    var h = new Histogram(4, false);
    h.cover(3, 3);
    h.add(new float[] {3, 3}, 0, 2);
    assertFalse(h.hasBins());
    assertEquals(3, h.quantile(0.5));
    h.cover(0, 4);
    assertArrayEquals(new double[] {0, 0, 0, 2}, h.counts());
  }

  @Test
  void histogramResampleSpreadsEvenly() {
    var h = new Histogram(2, false);
    h.cover(0, 2);
    h.add(new float[] {0.5f, 1.5f, 1.5f}, 0, 3);
    // bins [0,1):1, [1,2]:2 onto 4 bins of 0.5
    assertArrayEquals(new double[] {0.5, 0.5, 1, 1}, h.resample(0, 2, 4), 1e-12);
  }

  @Test
  void percentileMatchesNumpyLinear() {
    float[] v = new float[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    var o = new PercentileObserver(T, 99, 1000);
    o.observe(vec(v));
    // numpy.percentile(arange(1000), [1, 99]) = [9.99, 989.01]; bins of 0.999 each hold one value.
    assertEquals(9.99, o.range().min(0), 1e-9);
    assertEquals(989.01, o.range().max(0), 1e-9);
  }

  @Test
  void mseClipsALoneOutlier() {
    // 100000 values at 1.0 and one at 100 under 2-bit unsigned codes (4 levels). Only [0, 3] (scale 1) and
    // [0, 1] (scale 1/3) among the candidates f·[1, 100] represent 1.0 exactly; the outlier costs 97² in
    // the first and 99² in the second; every other candidate errs by ≥ 1/9 on each of the 100000 values.
    float[] v = new float[100001];
    Arrays.fill(v, 1f);
    v[500] = 100f;
    var o = new MseObserver(U2, T, 2048, 100);
    o.observe(vec(v));
    assertEquals(0.03, o.range().min(0), 1e-12);
    assertEquals(3.0, o.range().max(0), 1e-12);
    assertEquals(97.0 * 97.0, MseObserver.error(o.histogram(0), U2, 0.03, 3.0), 1e-6);
  }

  @Test
  void mseKeepsTheFullRangeWhenItIsExact() {
    var o = new MseObserver(U2, T, 64, 100);
    o.observe(vec(0, 1, 2, 3, 3, 2));
    assertEquals(ValueRange.perTensor(0, 3), o.range());
  }

  @Test
  void klDivergenceHandCase() {
    double[] hist = {4, 2, 1, 1};
    // i = 2: P = [4, 4]/8, Q = [4, 2]/6: KL = ½ ln(9/8)
    assertEquals(0.0588915178, KlDivergenceObserver.divergence(hist, 2, 2), 1e-9);
    // i = 3: P = [4, 2, 2]/8, Q = [3, 3, 1]/7
    assertEquals(0.0822301617, KlDivergenceObserver.divergence(hist, 3, 2), 1e-9);
    // i = 4: P = [4, 2, 1, 1]/8, Q = [3, 3, 1, 1]/8
    assertEquals(0.0424747592, KlDivergenceObserver.divergence(hist, 4, 2), 1e-9);
    assertEquals(4.5, KlDivergenceObserver.threshold(hist, 2));
    assertEquals(128, KlDivergenceObserver.levels(8, true, false)); // i8: TensorRT's 128
    assertEquals(256, KlDivergenceObserver.levels(8, false, false)); // u8 after relu
    assertEquals(128, KlDivergenceObserver.levels(8, false, true)); // u8 of signed data: half the codes per side
  }

  @Test
  void klDivergenceFirstMinimumOnTies() {
    // All mass uniform in the first 128 of 2048 bins: every candidate has Q = P, so i = 128 wins.
    double[] hist = new double[2048];
    Arrays.fill(hist, 0, 128, 1);
    assertEquals(0, KlDivergenceObserver.divergence(hist, 128, 128), 1e-12);
    assertEquals(128.5, KlDivergenceObserver.threshold(hist, 128));
    // An empty quantized level under mass of P (outliers piled on an empty last bin) is infinitely bad.
    double[] gap = new double[8];
    gap[0] = 5;
    gap[7] = 1;
    assertEquals(Double.POSITIVE_INFINITY, KlDivergenceObserver.divergence(gap, 4, 4));
  }

  @Test
  void klClipsGaussianOutliers() {
    var rnd = new SplittableRandom(1);
    float[] v = new float[200000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) gaussian(rnd);
    }
    v[7] = 60;
    v[8] = -60;
    var o = new KlDivergenceObserver(QuantScheme.weights(8, T), T);
    o.observe(vec(v));
    ValueRange r = o.range();
    assertEquals(-r.min(0), r.max(0), 1e-12);
    assertTrue(r.max(0) > 3 && r.max(0) < 30, "threshold " + r.max(0));
  }

  @Test
  void crossEntropyKeepsALosslessRange() {
    var o = new CrossEntropyObserver(U2, 16, 100, 0);
    o.observe(Tensor.ofFloats(new int[] {3, 2}, 0, 3, 3, 0, 1, 2));
    assertEquals(ValueRange.perTensor(0, 3), o.range()); // scale 1: Q(x) = x, CE at its floor H(p)
  }

  @Test
  void crossEntropyClipsAnOutlierRow() {
    float[] v = new float[20];
    for (int r = 0; r < 10; r++) {
      v[2 * r + 1] = r == 9 ? 30 : 1;
    }
    var o = new CrossEntropyObserver(U2, 16, 100, 0);
    o.observe(Tensor.ofFloats(new int[] {10, 2}, v));
    ValueRange r = o.range();
    // By hand: the full range [0, 30] (scale 10) maps every [0, 1] row to [0, 0]: CE = (9 ln 2 + 0)/10 = 0.6238;
    // [0, 3] (scale 1) keeps them exact: CE = (9 · 0.5822 + 0.0486)/10 = 0.5288.
    assertEquals(0.6238, o.crossEntropy(0, 30), 1e-4);
    assertEquals(0.5288, o.crossEntropy(0, 3), 1e-4);
    double best = o.crossEntropy(r.min(0), r.max(0));
    for (int k = 1; k <= 100; k++) {
      assertTrue(best <= o.crossEntropy(0, 30.0 * k / 100) + 1e-15);
    }
    assertTrue(r.max(0) > 2.5 && r.max(0) < 3.5, r.toString());
  }

  @Test
  void crossEntropyReservoirIsBounded() {
    var o = new CrossEntropyObserver(U2, 8, 10, 0);
    for (int i = 0; i < 20; i++) {
      o.observe(Tensor.ofFloats(new int[] {4, 3}, new float[12]));
    }
    assertEquals(8, o.keptRows());
  }

  @Test
  void perChannelHistograms() {
    var o = new PercentileObserver(0, 100, 16);
    o.observe(Tensor.ofFloats(new int[] {2, 3}, 0, 1, 2, -5, 5, 0));
    assertEquals(ValueRange.perChannel(new double[] {0, -5}, new double[] {2, 5}), o.range());
  }

  @Test
  void specCreatesEachMethod() {
    for (RangeMethod m : RangeMethod.values()) {
      Observer o = ObserverSpec.of(m).create(QuantScheme.activations(8), T);
      o.observe(vec(0, 1, 2, 3));
      assertTrue(o.range().max(0) > 0, m.text());
    }
    var e = assertThrows(CimcException.class, () -> RangeMethod.fromText("entropy"));
    assertEquals("error: unknown range method 'entropy'\n"
        + "hint: known methods: minmax, ema, percentile, mse, kl, cross-entropy", e.render());
  }

  static double gaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double w = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
  }
}
