package dev.cimc.ir.op;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.List;

/**
 * What type inference sees of a node: its operand types and attributes (with schema defaults filled in).
 * Failing checks throw {@link InferenceException} with a message meant for the user.
 */
public final class InferContext {
  private final OpDef op;
  private final List<TensorType> operandTypes;
  private final Attributes attributes;
  private final List<TensorType> declaredResults;

  /**
   * @param declaredResults result types the node declares (parsed text, explicit builder types), or null
   *     when the caller wants them inferred
   */
  public InferContext(OpDef op, List<TensorType> operandTypes, Attributes attributes, List<TensorType> declaredResults) {
    this.op = op;
    this.operandTypes = operandTypes;
    this.attributes = attributes;
    this.declaredResults = declaredResults;
  }

  public OpDef op() {
    return op;
  }

  public int numOperands() {
    return operandTypes.size();
  }

  public TensorType operand(int i) {
    return operandTypes.get(i);
  }

  public List<TensorType> operandTypes() {
    return operandTypes;
  }

  public boolean hasOperand(int i) {
    return i < operandTypes.size();
  }

  /** The number of results the node declares (for ops whose result count is variadic), or -1 if unknown. */
  public int numResults() {
    return declaredResults == null ? -1 : declaredResults.size();
  }

  /**
   * The declared type of result {@code i}, for ops whose result type cannot be derived from operands
   * (e.g. {@code q.quantize}); fails with a clear message when none was declared.
   */
  public TensorType declaredResult(int i) {
    if (declaredResults == null || i >= declaredResults.size() || declaredResults.get(i) == null) {
      throw new InferenceException("the result type must be given explicitly");
    }
    return declaredResults.get(i);
  }

  public Attribute attr(String name) {
    Attribute a = attributes.get(name);
    return a != null ? a : op.defaultOf(name);
  }

  public boolean hasAttr(String name) {
    return attr(name) != null;
  }

  public long intAttr(String name) {
    return ((Attribute.IntAttr) required(name)).value();
  }

  public double floatAttr(String name) {
    return ((Attribute.FloatAttr) required(name)).value();
  }

  public String stringAttr(String name) {
    return ((Attribute.StringAttr) required(name)).value();
  }

  public boolean boolAttr(String name) {
    return ((Attribute.BoolAttr) required(name)).value();
  }

  public long[] intsAttr(String name) {
    return ((Attribute.IntsAttr) required(name)).values();
  }

  private Attribute required(String name) {
    Attribute a = attr(name);
    if (a == null) {
      throw new InferenceException("missing required attribute '" + name + "'");
    }
    return a;
  }

  /** Throws an inference error with the given message. */
  public InferenceException fail(String message) {
    throw new InferenceException(message);
  }

  /** Requires operand {@code i} to have a floating element type and no quantization. */
  public TensorType requireFloat(int i) {
    TensorType t = operand(i);
    if (!t.elementType().isFloat()) {
      throw new InferenceException("operand " + i + " must be a float tensor, got " + t);
    }
    return t;
  }

  /** Requires operand {@code i} to have rank {@code rank}. */
  public TensorType requireRank(int i, int rank) {
    TensorType t = operand(i);
    if (t.rank() != rank) {
      throw new InferenceException("operand " + i + " must have rank " + rank + ", got " + t);
    }
    return t;
  }

  /** Requires all operands to share operand 0's element type. */
  public ElementType requireSameElementType() {
    ElementType et = operand(0).elementType();
    for (int i = 1; i < operandTypes.size(); i++) {
      if (operand(i).elementType() != et) {
        throw new InferenceException("operand " + i + " has element type " + operand(i).elementType()
            + " but operand 0 has " + et);
      }
    }
    return et;
  }
}
