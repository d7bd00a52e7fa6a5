package dev.cimc.ir.op;

import dev.cimc.ir.tensor.Tensor;

/** A reference-interpreter kernel: computes a node's results from its operand tensors. */
@FunctionalInterface
public interface Kernel {
  Tensor[] run(KernelContext ctx, Tensor[] inputs);
}
