package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.FakeQuantizer;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import java.util.SplittableRandom;

/**
 * For the logits of the final classifier: the clipping range that minimises the mean cross-entropy
 * −Σ softmax(x) · log softmax(Q(x)) between the float and the quantized class distributions (the last axis
 * holds the classes). Per tensor only. Candidates are the observed range shrunk by k/steps, k = 1..steps;
 * ties go to the wider range. Streaming: a uniform reservoir sample of at most {@code capacity} rows
 * (Vitter's algorithm R with a fixed seed, so the result is deterministic).
 */
public final class CrossEntropyObserver extends ChannelObserver {
  private final QuantScheme scheme;
  private final int steps;
  private final int capacity;
  private final SplittableRandom random;
  private float[][] rows;
  private int kept;
  private long seen;

  /**
   * @param scheme the scheme of the logits (affine)
   * @param capacity rows kept for the search (e.g. 512)
   * @param steps number of candidate ranges (e.g. 100)
   * @param seed seed of the reservoir sampling
   */
  public CrossEntropyObserver(QuantScheme scheme, int capacity, int steps, long seed) {
    super(QuantParams.PER_TENSOR);
    if (scheme.kind() != QuantScheme.Kind.AFFINE) {
      throw new IllegalArgumentException("cross-entropy range search needs an affine scheme, got " + scheme.kind());
    }
    if (capacity < 1 || steps < 1) {
      throw new IllegalArgumentException("need capacity ≥ 1 and steps ≥ 1");
    }
    this.scheme = MseObserver.perTensor(scheme);
    this.capacity = capacity;
    this.steps = steps;
    this.random = new SplittableRandom(seed);
  }

  @Override
  void accept(float[] x, Shape shape, Layout l, double[] batchMin, double[] batchMax) {
    int classes = shape.rank() == 0 ? 1 : shape.dim(shape.rank() - 1);
    if (rows == null) {
      rows = new float[capacity][];
    } else if (kept > 0 && rows[0].length != classes) {
      throw new IllegalArgumentException("cross-entropy observer saw " + rows[0].length + " classes before, now "
          + classes + " (" + shape + ")");
    }
    if (classes == 0) {
      return;
    }
    for (int r = 0, n = x.length / classes; r < n; r++) {
      long index = seen++;
      int slot;
      if (kept < capacity) {
        slot = kept++;
      } else {
        long j = random.nextLong(index + 1);
        if (j >= capacity) {
          continue;
        }
        slot = (int) j;
      }
      float[] row = new float[classes];
      System.arraycopy(x, r * classes, row, 0, classes);
      rows[slot] = row;
    }
  }

  @Override
  double[] rangeOf(int c) {
    double lo = min[0];
    double hi = max[0];
    double bestF = 1;
    double best = Double.POSITIVE_INFINITY;
    for (int k = steps; k >= 1; k--) {
      double f = (double) k / steps;
      double ce = crossEntropy(f * lo, f * hi);
      if (ce < best) {
        best = ce;
        bestF = f;
      }
    }
    return new double[] {bestF * lo, bestF * hi};
  }

  /** Mean cross-entropy of the kept rows between softmax(x) and softmax(Q(x)) for the range [lo, hi]. */
  public double crossEntropy(double lo, double hi) {
    QuantParams p = scheme.params(new double[] {lo}, new double[] {hi});
    double s = p.scale(0);
    long z = p.zeroPoint(0);
    long qmin = scheme.qmin();
    long qmax = scheme.qmax();
    double total = 0;
    for (int r = 0; r < kept; r++) {
      float[] row = rows[r];
      int n = row.length;
      double[] q = new double[n];
      double maxX = Double.NEGATIVE_INFINITY;
      double maxQ = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        q[j] = FakeQuantizer.apply(row[j], s, z, qmin, qmax);
        maxX = Math.max(maxX, row[j]);
        maxQ = Math.max(maxQ, q[j]);
      }
      double sumX = 0;
      double sumQ = 0;
      for (int j = 0; j < n; j++) {
        sumX += Math.exp(row[j] - maxX);
        sumQ += Math.exp(q[j] - maxQ);
      }
      double logSumQ = Math.log(sumQ);
      double ce = 0;
      for (int j = 0; j < n; j++) {
        double pj = Math.exp(row[j] - maxX) / sumX;
        ce -= pj * (q[j] - maxQ - logSumQ);
      }
      total += ce;
    }
    return kept == 0 ? 0 : total / kept;
  }

  /** Rows currently kept (at most the capacity). */
  public int keptRows() {
    return kept;
  }
}
