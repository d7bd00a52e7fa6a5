package dev.cimc.ir.op;

import dev.cimc.ir.type.TensorType;
import java.util.List;

/** Computes the result types of a node from its operand types and attributes, and checks them. */
@FunctionalInterface
public interface TypeInference {
  List<TensorType> infer(InferContext ctx);
}
