package dev.cimc.ir.autodiff;

import dev.cimc.ir.graph.Node;
import dev.cimc.ir.tensor.Tensor;

/**
 * What a {@link GradRule} sees of one node in the backward pass: the forward operands and result, the
 * gradient of the result, and the accumulators of the operand gradients (and of the quantizer's scales).
 */
public final class Step {
  private final Node node;
  private final Tensor[] inputs;
  private final Tensor output;
  private final float[] gradOutput;
  private final float[][] gradInputs;
  private final FakeQuant quantizer;
  private final double[] scaleGradient;

  Step(Node node, Tensor[] inputs, Tensor output, float[] gradOutput, float[][] gradInputs, FakeQuant quantizer,
      double[] scaleGradient) {
    this.node = node;
    this.inputs = inputs;
    this.output = output;
    this.gradOutput = gradOutput;
    this.gradInputs = gradInputs;
    this.quantizer = quantizer;
    this.scaleGradient = scaleGradient;
  }

  public Node node() {
    return node;
  }

  public int numInputs() {
    return inputs.length;
  }

  /** Operand {@code i} as the forward pass computed it. */
  public Tensor input(int i) {
    return inputs[i];
  }

  /** The dimensions of operand {@code i}. */
  public int[] inputDims(int i) {
    return inputs[i].shape().dims();
  }

  /** The node's (first) result as the forward pass computed it. */
  public Tensor output() {
    return output;
  }

  /** dLoss/dResult, one entry per result element (read only). */
  public float[] gradOutput() {
    return gradOutput;
  }

  /** The accumulator of dLoss/dOperand {@code i}, or null when that operand needs no gradient. */
  public float[] gradInput(int i) {
    return i < gradInputs.length ? gradInputs[i] : null;
  }

  /** The fake quantizer of a {@code q.quantize} node (null for other ops). */
  public FakeQuant quantizer() {
    return quantizer;
  }

  /** The accumulator of dLoss/dScale per channel of a learnable quantizer, or null. */
  public double[] scaleGradient() {
    return scaleGradient;
  }
}
