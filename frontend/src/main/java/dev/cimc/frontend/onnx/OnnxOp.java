package dev.cimc.frontend.onnx;

import dev.cimc.ir.graph.Value;
import dev.cimc.ir.type.ElementType;
import java.util.List;
import java.util.Set;

/**
 * How one ONNX op imports: the first opset that defines it, the attributes cimc understands (any other
 * attribute makes the node unsupported rather than silently misread), which element types of input 0 cimc
 * implements, and the converter that builds graph IR for a node.
 *
 * @param opType the ONNX op type, e.g. {@code Conv}
 * @param since the first default-domain opset with this op
 * @param attributes attribute names the converter reads
 * @param types the element types cimc accepts for input 0
 * @param converter builds the node's graph IR
 */
record OnnxOp(String opType, int since, Set<String> attributes, Types types, Converter converter) {

  /** Builds graph IR for one node; returns one value per node output (null for an output it cannot produce). */
  @FunctionalInterface
  interface Converter {
    List<Value> convert(OnnxNode node, GraphImport g);
  }

  /** Element types of input 0 an op is implemented for. */
  enum Types {
    /** f16, f32, f64 */
    FLOAT,
    /** floats and integers (not bool) */
    NUMERIC,
    /** every element type cimc has */
    ANY;

    boolean accepts(ElementType et) {
      return switch (this) {
        case FLOAT -> et.isFloat();
        case NUMERIC -> et != ElementType.BOOL;
        case ANY -> true;
      };
    }

    String text() {
      return switch (this) {
        case FLOAT -> "float tensors (f16, f32, f64)";
        case NUMERIC -> "float and integer tensors";
        case ANY -> "any tensor";
      };
    }
  }

  OnnxOp {
    attributes = Set.copyOf(attributes);
  }

  static OnnxOp of(String opType, int since, Types types, List<String> attributes, Converter converter) {
    return new OnnxOp(opType, since, Set.copyOf(attributes), types, converter);
  }
}
