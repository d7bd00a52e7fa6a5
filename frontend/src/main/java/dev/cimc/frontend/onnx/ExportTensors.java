package dev.cimc.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Element types, tensor types and constant tensors as the exporter writes them. Sub-byte integer types
 * travel in 8-bit containers (INT8 for i4/i2, UINT8 for u4/u2): opset 17 has no narrower integers, and
 * cimc stores them one value per byte already.
 */
final class ExportTensors {
  private ExportTensors() {}

  /** The ONNX {@code TensorProto.DataType} holding values of {@code et}. */
  static int dataType(ElementType et) {
    return switch (et) {
      case F64 -> Onnx.TensorProto.DataType.DOUBLE_VALUE;
      case F32 -> Onnx.TensorProto.DataType.FLOAT_VALUE;
      case F16 -> Onnx.TensorProto.DataType.FLOAT16_VALUE;
      case I64 -> Onnx.TensorProto.DataType.INT64_VALUE;
      case I32 -> Onnx.TensorProto.DataType.INT32_VALUE;
      case I16 -> Onnx.TensorProto.DataType.INT16_VALUE;
      case I8, I4, I2 -> Onnx.TensorProto.DataType.INT8_VALUE;
      case U8, U4, U2 -> Onnx.TensorProto.DataType.UINT8_VALUE;
      case BOOL -> Onnx.TensorProto.DataType.BOOL_VALUE;
    };
  }

  /** True for the types held in a wider ONNX container. */
  static boolean isSubByte(ElementType et) {
    return et == ElementType.I4 || et == ElementType.U4 || et == ElementType.I2 || et == ElementType.U2;
  }

  /** A tensor type; dynamic dimensions are written without a value or a parameter (unknown). */
  static Onnx.TypeProto typeProto(TensorType t) {
    var shape = Onnx.TensorShapeProto.newBuilder();
    for (int d : t.shape().dims()) {
      var dim = Onnx.TensorShapeProto.Dimension.newBuilder();
      if (d != Shape.DYNAMIC) {
        dim.setDimValue(d);
      }
      shape.addDim(dim);
    }
    return Onnx.TypeProto.newBuilder()
        .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(dataType(t.elementType())).setShape(shape))
        .build();
  }

  /** A named tensor with its elements in {@code raw_data}, little-endian. */
  static Onnx.TensorProto tensorProto(String name, Tensor t) {
    var b = Onnx.TensorProto.newBuilder().setName(name).setDataType(dataType(t.elementType()));
    for (int d : t.shape().dims()) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(rawBytes(t))).build();
  }

  /** The elements as little-endian bytes in ONNX's layout for the container type. */
  static byte[] rawBytes(Tensor t) {
    int n = t.size();
    ElementType et = t.elementType();
    ByteBuffer buf = ByteBuffer.allocate(n * et.storageBytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (et.storage()) {
      case F64 -> buf.asDoubleBuffer().put(t.doubles());
      case F32 -> buf.asFloatBuffer().put(t.floats());
      case F16, I16 -> buf.asShortBuffer().put(t.shorts());
      case I64 -> buf.asLongBuffer().put(t.longs());
      case I32 -> buf.asIntBuffer().put(t.ints());
      case I8 -> buf.put(t.bytes());
    }
    return buf.array();
  }
}
