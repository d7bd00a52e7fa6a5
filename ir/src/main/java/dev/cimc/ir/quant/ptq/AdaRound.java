package dev.cimc.ir.quant.ptq;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.FakeQuantizer;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.type.QuantParams;
import java.util.SplittableRandom;

/**
 * AdaRound (Nagel et al., "Up or Down? Adaptive Rounding for Post-Training Quantization", ICML 2020),
 * layer-wise: each weight is rounded down or up as decided by a continuous variable V through the rectified
 * sigmoid h(V) = clip(σ(V)(ζ − γ) + γ, 0, 1), ζ = 1.1, γ = −0.1, so that W̃ = s·(clamp(⌊W/s⌋ + h(V) + z) − z).
 * The loss is the reconstruction error mean((W x − W̃ x)²) on cached layer inputs plus
 * λ Σ (1 − |2h − 1|^β), with β annealed linearly from 20 to 2 after a warm-up without the regulariser;
 * Adam minimises it on random mini-batches of input rows. The final rounding is up where h ≥ ½.
 * Plain Java on double arrays.
 *
 * <p>The weights that round to a channel's smallest or largest code keep their round-to-nearest code, so
 * each channel's extreme codes (and with them the range a per-channel min-max recovers from the rounded
 * float weights) do not change: a {@code quantize} pass that sets weight parameters by min-max finds the
 * same codes in {@link RoundedWeights#weights()} (scales agree to an f32 rounding).
 */
public final class AdaRound {
  static final double ZETA = 1.1;
  static final double GAMMA = -0.1;

  private AdaRound() {}

  /**
   * Optimiser settings.
   *
   * @param iterations Adam steps
   * @param learningRate Adam step size
   * @param lambda weight of the rounding regulariser
   * @param betaStart β at the end of the warm-up
   * @param betaEnd β at the last step
   * @param warmup fraction of the steps without the regulariser
   * @param batch input rows per step
   * @param maxRows input rows cached per layer (reservoir sample)
   * @param seed seed of the mini-batches and the reservoir
   */
  public record Settings(int iterations, double learningRate, double lambda, double betaStart, double betaEnd,
      double warmup, int batch, int maxRows, long seed) {
    public Settings {
      if (iterations < 1 || batch < 1 || maxRows < 1 || !(warmup >= 0 && warmup < 1)) {
        throw new IllegalArgumentException("need iterations, batch and maxRows ≥ 1 and warmup in [0, 1)");
      }
    }

    /** 500 steps of Adam at 0.01, λ = 0.01, β 20 → 2 after a 20% warm-up, batches of 256 of 4096 cached rows. */
    public static Settings defaults() {
      return new Settings(500, 0.01, 0.01, 20, 2, 0.2, 256, 4096, 0);
    }

    public Settings withIterations(int n) {
      return new Settings(n, learningRate, lambda, betaStart, betaEnd, warmup, batch, maxRows, seed);
    }
  }

  /**
   * Rounds the weights of {@code layer} with the parameters covering {@code range} (per output channel
   * along the weight's output axis, or per tensor), optimised on the layer's inputs over {@code data}.
   */
  public static RoundedWeights apply(Graph g, Layer layer, QuantScheme scheme, ValueRange range, CalibrationData data,
      Settings s, int threads) {
    if (!scheme.perTensor() && scheme.axis() != layer.weightAxis()) {
      throw new IllegalArgumentException("scheme axis " + scheme.axis() + " is not the layer's output-channel axis "
          + layer.weightAxis());
    }
    QuantParams params = range.params(scheme);
    FakeQuantizer q = FakeQuantizer.of(scheme, params);
    int o = layer.outChannels();
    int k = layer.weight().size() / o;
    double[] x;
    try (Interpreter interp = Interpreter.withThreads(threads)) {
      x = LayerInputs.collect(g, layer, data, s.maxRows(), s.seed(), interp);
    }
    long[] codes = optimize(layer.weightMatrix(), o, k, x, x.length / k, q, s);
    long[] laidOut = new long[codes.length];
    for (int c = 0; c < o; c++) {
      for (int r = 0; r < k; r++) {
        laidOut[layer.weightAxis() == 0 ? c * k + r : r * o + c] = codes[c * k + r];
      }
    }
    return RoundedWeights.of(layer.weight(), scheme, params, laidOut);
  }

  /**
   * The codes (O × K, row-major) of weights {@code w} (O × K) optimised on input rows {@code x} (N × K);
   * channel c of {@code q} quantizes output row c (or channel 0 for all when per tensor).
   */
  public static long[] optimize(double[] w, int o, int k, double[] x, int n, FakeQuantizer q, Settings s) {
    if (n == 0) {
      throw new IllegalArgumentException("AdaRound needs at least one input row");
    }
    int size = o * k;
    double[] base = new double[size];
    double[] v = new double[size];
    double[] scale = new double[o];
    long[] zp = new long[o];
    for (int c = 0; c < o; c++) {
      int ch = q.channels() == 1 ? 0 : c;
      scale[c] = q.scale(ch);
      zp[c] = q.zeroPoint(ch);
      for (int j = 0; j < k; j++) {
        int i = c * k + j;
        double t = w[i] / scale[c];
        base[i] = Math.floor(t);
        double rest = t - base[i];
        // h(V) = rest at the start: σ(V) = (rest − γ)/(ζ − γ).
        double sig = (rest - GAMMA) / (ZETA - GAMMA);
        v[i] = Math.log(sig / (1 - sig));
      }
    }
    double qmin = q.qmin();
    double qmax = q.qmax();
    boolean[] frozen = new boolean[size];
    long[] nearest = new long[size];
    for (int c = 0; c < o; c++) {
      long lo = Long.MAX_VALUE;
      long hi = Long.MIN_VALUE;
      for (int j = 0; j < k; j++) {
        long code = FakeQuantizer.code(w[c * k + j], scale[c], zp[c], q.qmin(), q.qmax());
        nearest[c * k + j] = code;
        lo = Math.min(lo, code);
        hi = Math.max(hi, code);
      }
      for (int j = 0; j < k; j++) {
        frozen[c * k + j] = nearest[c * k + j] == lo || nearest[c * k + j] == hi;
      }
    }
    double[] m1 = new double[size];
    double[] m2 = new double[size];
    double[] grad = new double[size];
    double[] delta = new double[size];
    double[] dhdv = new double[size];
    double[] h = new double[size];
    int b = Math.min(s.batch(), n);
    double[] xb = new double[b * k];
    double[] y = new double[o * b];
    var rnd = new SplittableRandom(s.seed());
    int warm = (int) (s.warmup() * s.iterations());
    double b1 = 0.9;
    double b2 = 0.999;
    double p1 = 1;
    double p2 = 1;
    for (int t = 0; t < s.iterations(); t++) {
      for (int r = 0; r < b; r++) {
        int src = b == n ? r : rnd.nextInt(n);
        System.arraycopy(x, src * k, xb, r * k, k);
      }
      // Forward: h, W̃ − W and the gradient factor of each weight.
      for (int c = 0; c < o; c++) {
        double sc = scale[c];
        for (int j = 0; j < k; j++) {
          int i = c * k + j;
          double sig = 1 / (1 + Math.exp(-v[i]));
          double raw = sig * (ZETA - GAMMA) + GAMMA;
          double hi = raw < 0 ? 0 : (raw > 1 ? 1 : raw);
          h[i] = hi;
          double code = base[i] + hi + zp[c];
          boolean clamped = frozen[i] || code < qmin || code > qmax;
          code = frozen[i] ? nearest[i] : Math.max(qmin, Math.min(qmax, code));
          delta[i] = sc * (code - zp[c]) - w[i];
          dhdv[i] = raw <= 0 || raw >= 1 ? 0 : sig * (1 - sig) * (ZETA - GAMMA);
          grad[i] = clamped ? 0 : sc; // d W̃ / d h
        }
      }
      // Y = Δ Xbᵀ (O × B); loss = mean(Y²); dL/dΔ = 2 Y Xb / (O·B).
      for (int c = 0; c < o; c++) {
        for (int r = 0; r < b; r++) {
          double acc = 0;
          int wo = c * k;
          int xo = r * k;
          for (int j = 0; j < k; j++) {
            acc += delta[wo + j] * xb[xo + j];
          }
          y[c * b + r] = acc;
        }
      }
      double norm = 2.0 / ((double) o * b);
      boolean reg = t >= warm;
      double beta = s.betaEnd() + (s.betaStart() - s.betaEnd())
          * (1 - (double) (t - warm) / Math.max(1, s.iterations() - warm));
      p1 *= b1;
      p2 *= b2;
      double lr = s.learningRate() * Math.sqrt(1 - p2) / (1 - p1);
      for (int c = 0; c < o; c++) {
        for (int j = 0; j < k; j++) {
          int i = c * k + j;
          double gd = 0;
          for (int r = 0; r < b; r++) {
            gd += y[c * b + r] * xb[r * k + j];
          }
          if (frozen[i]) {
            continue;
          }
          double g = gd * norm * grad[i] * dhdv[i];
          if (reg) {
            double u = 2 * h[i] - 1;
            double au = Math.abs(u);
            // d/dh (1 − |2h − 1|^β) = −2β |2h − 1|^(β−1) sign(2h − 1)
            g += s.lambda() * (-2 * beta * Math.pow(au, beta - 1) * Math.signum(u)) * dhdv[i];
          }
          m1[i] = b1 * m1[i] + (1 - b1) * g;
          m2[i] = b2 * m2[i] + (1 - b2) * g * g;
          v[i] -= lr * m1[i] / (Math.sqrt(m2[i]) + 1e-8);
        }
      }
    }
    long[] codes = new long[size];
    for (int c = 0; c < o; c++) {
      for (int j = 0; j < k; j++) {
        int i = c * k + j;
        double sig = 1 / (1 + Math.exp(-v[i]));
        double hi = Math.max(0, Math.min(1, sig * (ZETA - GAMMA) + GAMMA));
        codes[i] = frozen[i] ? nearest[i] : (long) Math.max(qmin, Math.min(qmax, base[i] + (hi >= 0.5 ? 1 : 0) + zp[c]));
      }
    }
    return codes;
  }

  /** mean((W x − W̃ x)²) over output channels and rows, W̃ = s·(codes − z). */
  public static double reconstructionError(double[] w, long[] codes, int o, int k, double[] x, int n, FakeQuantizer q) {
    double sum = 0;
    for (int c = 0; c < o; c++) {
      int ch = q.channels() == 1 ? 0 : c;
      for (int r = 0; r < n; r++) {
        double acc = 0;
        for (int j = 0; j < k; j++) {
          int i = c * k + j;
          acc += (w[i] - q.scale(ch) * (codes[i] - q.zeroPoint(ch))) * x[r * k + j];
        }
        sum += acc * acc;
      }
    }
    return sum / ((double) o * n);
  }
}
