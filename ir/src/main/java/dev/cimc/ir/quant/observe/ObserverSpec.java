package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.QuantScheme;

/**
 * Which observer to make and its settings; {@link #create} builds a fresh one per value.
 *
 * @param method the range-setting method
 * @param percentile for {@link RangeMethod#PERCENTILE}, in (50, 100]
 * @param momentum for {@link RangeMethod#MOVING_AVERAGE}, in [0, 1)
 * @param bins histogram bins per channel for percentile and MSE (KL always uses TensorRT's 2048)
 * @param steps candidate ranges for MSE and cross-entropy
 * @param reservoirRows rows kept by the cross-entropy observer
 * @param seed seed of the cross-entropy reservoir
 */
public record ObserverSpec(RangeMethod method, double percentile, double momentum, int bins, int steps,
    int reservoirRows, long seed) {

  /** {@code method} with the defaults: 99.99th percentile, momentum 0.9, 2048 bins, 100 steps, 512 rows. */
  public static ObserverSpec of(RangeMethod method) {
    return new ObserverSpec(method, 99.99, 0.9, 2048, 100, 512, 0);
  }

  public ObserverSpec withPercentile(double p) {
    return new ObserverSpec(method, p, momentum, bins, steps, reservoirRows, seed);
  }

  public ObserverSpec withMomentum(double m) {
    return new ObserverSpec(method, percentile, m, bins, steps, reservoirRows, seed);
  }

  /** A new observer for a value quantized with {@code scheme}, per tensor or along {@code axis}. */
  public Observer create(QuantScheme scheme, int axis) {
    return switch (method) {
      case MIN_MAX -> new MinMaxObserver(axis);
      case MOVING_AVERAGE -> new MovingAverageMinMaxObserver(axis, momentum);
      case PERCENTILE -> new PercentileObserver(axis, percentile, bins);
      case MSE -> new MseObserver(scheme, axis, bins, steps);
      case KL -> new KlDivergenceObserver(scheme, axis);
      case CROSS_ENTROPY -> new CrossEntropyObserver(scheme, reservoirRows, steps, seed);
    };
  }
}
