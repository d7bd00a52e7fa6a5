package dev.cimc.frontend.onnx;

import com.google.protobuf.ByteString;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Encodes a {@link Tensor} as a {@code TensorProto} with little-endian {@code raw_data} (sub-byte types packed). */
final class TensorProtoEncoder {
  private TensorProtoEncoder() {}

  /** The proto of {@code t}; {@code name} may be null. Quantization parameters are not representable and dropped. */
  static Onnx.TensorProto encode(Tensor t, String name) {
    ElementType et = t.elementType();
    OnnxDataType dt = OnnxDataType.of(et);
    var b = Onnx.TensorProto.newBuilder().setDataType(dt.code());
    for (int d : t.shape().dims()) {
      b.addDims(d);
    }
    if (name != null) {
      b.setName(name);
    }
    int n = t.size();
    int bits = dt.rawBits();
    ByteBuffer buf = ByteBuffer.allocate((int) (((long) n * bits + 7) / 8)).order(ByteOrder.LITTLE_ENDIAN);
    switch (et.storage()) {
      case F32 -> buf.asFloatBuffer().put(t.floats());
      case F64 -> buf.asDoubleBuffer().put(t.doubles());
      case I64 -> buf.asLongBuffer().put(t.longs());
      case I32 -> buf.asIntBuffer().put(t.ints());
      case F16, I16 -> buf.asShortBuffer().put(t.shorts());
      case I8 -> {
        byte[] a = t.bytes();
        if (bits == 8) {
          buf.put(a);
        } else {
          int perByte = 8 / bits;
          int mask = (1 << bits) - 1;
          byte[] packed = new byte[buf.capacity()];
          for (int i = 0; i < n; i++) {
            packed[i / perByte] |= (byte) ((a[i] & mask) << ((i % perByte) * bits));
          }
          buf.put(packed);
        }
      }
      default -> throw new IllegalStateException("unhandled storage " + et.storage());
    }
    buf.rewind();
    return b.setRawData(ByteString.copyFrom(buf)).build();
  }
}
