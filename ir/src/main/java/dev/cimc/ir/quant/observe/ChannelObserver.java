package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;

/**
 * The common part of observers: splits each tensor into per-channel segments, computes each batch's
 * per-channel extrema and keeps the overall ones, and checks that the channel count stays the same.
 */
abstract class ChannelObserver implements Observer {
  private final int axis;
  private int channels = -1;
  private long observed;
  /** Overall extrema per channel (+inf/-inf while a channel has seen no finite value). */
  double[] min;
  double[] max;

  ChannelObserver(int axis) {
    if (axis < QuantParams.PER_TENSOR) {
      throw new IllegalArgumentException("bad axis " + axis);
    }
    this.axis = axis;
  }

  @Override
  public final int axis() {
    return axis;
  }

  @Override
  public final long observed() {
    return observed;
  }

  /** The channel count, or -1 before the first tensor. */
  final int channels() {
    return channels;
  }

  @Override
  public final void observe(Tensor t) {
    if (!t.elementType().isFloat()) {
      throw new IllegalArgumentException("observers take float tensors, got " + t.type());
    }
    float[] x = t.elementType() == ElementType.F32 ? t.floats() : t.toFloatArray();
    Layout l = Layout.of(t.shape(), axis);
    if (channels < 0) {
      channels = l.channels;
      min = new double[channels];
      max = new double[channels];
      java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
      start(channels);
    } else if (channels != l.channels) {
      throw new IllegalArgumentException("observer saw " + channels + " channels along axis " + axis
          + " before, now " + l.channels + " (" + t.type() + ")");
    }
    double[] bmin = new double[channels];
    double[] bmax = new double[channels];
    java.util.Arrays.fill(bmin, Double.POSITIVE_INFINITY);
    java.util.Arrays.fill(bmax, Double.NEGATIVE_INFINITY);
    for (int o = 0; o < l.outer; o++) {
      for (int c = 0; c < channels; c++) {
        int from = (o * channels + c) * l.inner;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (int i = from, end = from + l.inner; i < end; i++) {
          float v = x[i];
          // NaN fails both comparisons; infinities are excluded explicitly.
          if (v < lo && v != Float.NEGATIVE_INFINITY) {
            lo = v;
          }
          if (v > hi && v != Float.POSITIVE_INFINITY) {
            hi = v;
          }
        }
        bmin[c] = Math.min(bmin[c], lo);
        bmax[c] = Math.max(bmax[c], hi);
      }
    }
    for (int c = 0; c < channels; c++) {
      min[c] = Math.min(min[c], bmin[c]);
      max[c] = Math.max(max[c], bmax[c]);
    }
    accept(x, t.shape(), l, bmin, bmax);
    observed++;
  }

  /** Called once with the channel count, before the first {@link #accept}. */
  void start(int channels) {}

  /** Takes one tensor's data; {@code batchMin/batchMax} are its per-channel finite extrema (±inf if none). */
  abstract void accept(float[] x, Shape shape, Layout l, double[] batchMin, double[] batchMax);

  /** The range of channel {@code c}, which has seen finite data. */
  abstract double[] rangeOf(int c);

  @Override
  public final ValueRange range() {
    if (channels < 0) {
      throw new IllegalStateException("observer has seen no tensor");
    }
    double[] lo = new double[channels];
    double[] hi = new double[channels];
    for (int c = 0; c < channels; c++) {
      if (min[c] <= max[c]) {
        double[] r = rangeOf(c);
        lo[c] = r[0];
        hi[c] = r[1];
      }
    }
    return axis == QuantParams.PER_TENSOR ? ValueRange.perTensor(lo[0], hi[0]) : ValueRange.perChannel(lo, hi);
  }

  /** A tensor seen as {@code outer × channels × inner}: channel c's elements are the segments (o, c) of length inner. */
  record Layout(int outer, int channels, int inner) {
    static Layout of(Shape shape, int axis) {
      int n = (int) shape.numel();
      if (axis == QuantParams.PER_TENSOR) {
        return new Layout(1, 1, n);
      }
      if (axis >= shape.rank()) {
        throw new IllegalArgumentException("channel axis " + axis + " out of range for shape " + shape);
      }
      int outer = 1;
      for (int d = 0; d < axis; d++) {
        outer *= shape.dim(d);
      }
      int inner = 1;
      for (int d = axis + 1; d < shape.rank(); d++) {
        inner *= shape.dim(d);
      }
      return new Layout(outer, shape.dim(axis), inner);
    }
  }
}
