package dev.cimc.ir.quant.qat;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.quant.QuantPlan;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What training produced: the float graph with the fine-tuned weights (each clamped to its learned range)
 * and the plan holding the learned scales as activation ranges and weight ranges, ready for the
 * {@code quantize} pass and {@code lower-to-integer}; plus the loss (and accuracy) per epoch.
 *
 * @param graph fine-tuned float graph (a new graph; the input graph is not changed)
 * @param plan learned quantization plan
 * @param scales learned scales by float value name (weights: one per output channel; activations: one), as
 *     the training forward used them (powers of two when the scheme asks)
 * @param epochs one entry per epoch, in order
 */
public record QatResult(Graph graph, QuantPlan plan, Map<String, double[]> scales, List<Epoch> epochs) {
  public QatResult {
    var copy = new LinkedHashMap<String, double[]>();
    scales.forEach((k, v) -> copy.put(k, v.clone()));
    scales = Collections.unmodifiableMap(copy);
    epochs = List.copyOf(epochs);
  }

  /**
   * One epoch.
   *
   * @param epoch 1-based
   * @param loss mean training loss over the epoch's mini-batches
   * @param accuracy accuracy of the fake-quantized model on the evaluation data, NaN without
   */
  public record Epoch(int epoch, double loss, double accuracy) {}
}
