package dev.cimc.ir.type;

import java.util.Objects;

/**
 * The type of an IR value: element type, shape and, for quantized tensors, quantization parameters.
 *
 * @param elementType scalar type of the elements
 * @param shape dimensions; may contain dynamic dimensions
 * @param quant quantization parameters, or null for a plain tensor
 */
public record TensorType(ElementType elementType, Shape shape, QuantParams quant) {
  public TensorType {
    Objects.requireNonNull(elementType, "elementType");
    Objects.requireNonNull(shape, "shape");
    if (quant != null) {
      if (!elementType.isInteger()) {
        throw new IllegalArgumentException("quantized types need an integer element type, got " + elementType);
      }
      for (int c = 0; c < quant.channels(); c++) {
        long zp = quant.zeroPoint(c);
        if (zp < elementType.minValue() || zp > elementType.maxValue()) {
          throw new IllegalArgumentException("zero point " + zp + " is out of range for " + elementType + " ["
              + elementType.minValue() + ", " + elementType.maxValue() + "]");
        }
      }
      if (!quant.isPerTensor()) {
        if (quant.axis() >= shape.rank()) {
          throw new IllegalArgumentException(
              "quantization axis " + quant.axis() + " out of range for rank " + shape.rank());
        }
        int d = shape.dim(quant.axis());
        if (d != Shape.DYNAMIC && d != quant.channels()) {
          throw new IllegalArgumentException("quantization axis " + quant.axis() + " has " + d
              + " channels but " + quant.channels() + " scales were given");
        }
      }
    }
  }

  public static TensorType of(ElementType elementType, int... dims) {
    return new TensorType(elementType, Shape.of(dims), null);
  }

  public static TensorType f32(int... dims) {
    return of(ElementType.F32, dims);
  }

  public int rank() {
    return shape.rank();
  }

  public int dim(int i) {
    return shape.dim(i);
  }

  public long numel() {
    return shape.numel();
  }

  public boolean isQuantized() {
    return quant != null;
  }

  public TensorType withShape(Shape newShape) {
    return new TensorType(elementType, newShape, quant);
  }

  public TensorType withElementType(ElementType t) {
    return new TensorType(t, shape, null);
  }

  public TensorType withQuant(QuantParams q) {
    return new TensorType(elementType, shape, q);
  }

  /** The text form, e.g. {@code tensor<1x3x224x224xf32>}. */
  @Override
  public String toString() {
    return dev.cimc.ir.text.TypeSyntax.print(this);
  }
}
