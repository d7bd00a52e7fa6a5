package dev.cimc.ir.quant.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class HistogramPropertyTest {
  /** Streaming in batches loses no value and no mass, and every value lies in its bin. */
  @Property(tries = 200)
  void growthKeepsCountsAndSums(@ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 20)
      List<@FloatRange(min = -1000, max = 1000) Float>> batches, @ForAll @IntRange(min = 1, max = 64) int bins,
      @ForAll boolean absolute) {
    var h = new Histogram(bins, absolute);
    double n = 0;
    double sum = 0;
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (List<Float> b : batches) {
      float[] x = new float[b.size()];
      double bmin = Double.POSITIVE_INFINITY;
      double bmax = Double.NEGATIVE_INFINITY;
      for (int i = 0; i < x.length; i++) {
        x[i] = b.get(i);
        bmin = Math.min(bmin, x[i]);
        bmax = Math.max(bmax, x[i]);
        double v = absolute ? Math.abs(x[i]) : x[i];
        sum += v;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      n += x.length;
      h.cover(bmin, bmax);
      h.add(x, 0, x.length);
    }
    assertEquals(n, h.total());
    if (!h.hasBins()) {
      return;
    }
    double s = 0;
    double c = 0;
    for (int i = 0; i < bins; i++) {
      s += h.sum(i);
      c += h.count(i);
      if (h.count(i) > 0) {
        double mean = h.sum(i) / h.count(i);
        double eps = 1e-9 * (1 + Math.abs(mean));
        assertTrue(mean >= h.lo() + i * h.width() - eps && mean <= h.lo() + (i + 1) * h.width() + eps,
            "bin " + i + " mean " + mean);
      }
    }
    assertEquals(n, c);
    assertEquals(sum, s, 1e-6 * (1 + Math.abs(sum)));
    double tol = 1e-9 * (1 + Math.abs(lo) + Math.abs(hi));
    assertTrue(h.lo() <= lo + tol && h.lo() + bins * h.width() >= hi - tol,
        "histogram [" + h.lo() + ", " + (h.lo() + bins * h.width()) + "] covers [" + lo + ", " + hi + "]");
    assertEquals(n, sum(h.resample(h.min(), h.max(), 7)), 1e-9 * n);
    double q = h.quantile(0.5);
    assertTrue(q >= lo && q <= hi, "median " + q + " outside [" + lo + ", " + hi + "]");
  }

  /** Whatever the batching, every observer's range lies inside the data's range (KL: inside ±max|x|). */
  @Property(tries = 30)
  void rangesStayInsideTheData(@ForAll @Size(min = 2, max = 200) List<@FloatRange(min = -50, max = 50) Float> values,
      @ForAll @IntRange(min = 1, max = 5) int pieces) {
    float lo = Float.POSITIVE_INFINITY;
    float hi = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (RangeMethod m : RangeMethod.values()) {
      Observer o = ObserverSpec.of(m).create(QuantScheme.activations(8), QuantParams.PER_TENSOR);
      int per = (values.size() + pieces - 1) / pieces;
      for (int from = 0; from < values.size(); from += per) {
        int to = Math.min(values.size(), from + per);
        float[] x = new float[to - from];
        for (int i = from; i < to; i++) {
          x[i - from] = values.get(i);
        }
        o.observe(Tensor.ofFloats(new int[] {x.length, 1}, x)); // one class per row for the cross-entropy observer
      }
      ValueRange r = o.range();
      assertTrue(r.min(0) >= lo - 1e-6 && r.max(0) <= hi + 1e-6 && r.min(0) <= r.max(0), m.text() + ": " + r);
    }
  }

  private static double sum(double[] a) {
    double s = 0;
    for (double v : a) {
      s += v;
    }
    return s;
  }
}
