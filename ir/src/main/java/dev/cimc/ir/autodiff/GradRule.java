package dev.cimc.ir.autodiff;

/**
 * The vector-Jacobian product of one op: given the gradient of the loss with respect to the node's result,
 * adds the gradient with respect to each operand that wants one ({@link Step#gradInput} is null otherwise).
 * Rules accumulate ({@code +=}) so a value read by several nodes sums its gradients.
 */
@FunctionalInterface
public interface GradRule {
  void backward(Step step);
}
