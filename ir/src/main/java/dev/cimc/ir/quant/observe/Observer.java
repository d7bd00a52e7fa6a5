package dev.cimc.ir.quant.observe;

import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;

/**
 * Watches the tensors a value takes over calibration samples and proposes its range. Observers stream:
 * their memory does not grow with the number of tensors observed (running extrema, fixed histograms, a
 * bounded reservoir). Not thread-safe: one observer per value, fed from one thread at a time.
 */
public interface Observer {
  /** Takes one tensor (any float element type; non-finite elements are ignored). */
  void observe(Tensor t);

  /** The proposed range: one entry per tensor, or per channel along {@link #axis()}. [0, 0] for channels with no data. */
  ValueRange range();

  /** {@link dev.cimc.ir.type.QuantParams#PER_TENSOR} or the channel axis. */
  int axis();

  /** How many tensors were observed. */
  long observed();
}
