package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decodes a {@code TensorProto} into a {@link Tensor}, whatever the encoding: {@code raw_data}
 * (little-endian; 4- and 2-bit types packed from the least significant bits), the typed fields
 * ({@code float_data}, {@code int32_data} for the 8/16-bit integers, bool, f16 bits and packed sub-byte
 * values, {@code int64_data}, {@code double_data}), or external data. Sizes are checked against the shape
 * before anything is allocated.
 */
final class TensorProtoDecoder {
  private TensorProtoDecoder() {}

  /** Most elements a tensor may hold (the largest Java array). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Decodes {@code tp}.
   *
   * @param external reads external data; null when the tensor cannot have any (then it is an error)
   * @param loc where errors are reported
   * @param what the tensor in messages, e.g. "initializer 'w'"
   */
  static Tensor decode(Onnx.TensorProto tp, ExternalData external, Location loc, String what) {
    OnnxDataType dt = OnnxDataType.ofCode(tp.getDataType());
    if (dt == null || dt == OnnxDataType.UNDEFINED) {
      throw new CimcException(loc, what + " has an invalid data type " + tp.getDataType(),
          "data types are the TensorProto.DataType codes 1..26");
    }
    ElementType et = dt.elementType();
    if (et == null) {
      throw new OnnxUnsupportedException(loc, what + " has element type " + dt.onnxName()
          + ", which cimc does not support", "cast it to a supported type (f32, f16, f64, i64, i32, i16, i8, u8, "
          + "i4, u4, bool) in the model");
    }
    if (tp.hasSegment()) {
      throw new OnnxUnsupportedException(loc, what + " is a segment of a larger tensor, which cimc does not support",
          null);
    }
    Shape shape = shape(tp.getDimsList(), loc, what);
    int n = (int) shape.numel();
    TensorType type = new TensorType(et, shape, null);
    long rawBytes = ((long) n * dt.rawBits() + 7) / 8;
    if (tp.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
      if (external == null) {
        throw new CimcException(loc, what + " refers to external data, which is not allowed here", null);
      }
      checkNoTypedData(tp, dt, loc, what, "external data");
      return fromRaw(type, dt, external.read(tp, rawBytes, loc, what), n);
    }
    if (tp.hasRawData()) {
      checkNoTypedData(tp, dt, loc, what, "raw_data");
      if (tp.getRawData().size() != rawBytes) {
        throw new CimcException(loc, what + " has " + tp.getRawData().size() + " bytes of raw_data, but "
            + typeText(dt, shape) + " needs " + rawBytes, "the tensor's dims do not match its data");
      }
      return fromRaw(type, dt, tp.getRawData().asReadOnlyByteBuffer(), n);
    }
    return fromTypedFields(tp, type, dt, n, loc, what);
  }

  /** The shape of {@code dims}, rejecting negative dimensions and element counts beyond {@link #MAX_ELEMENTS}. */
  static Shape shape(java.util.List<Long> dims, Location loc, String what) {
    int[] d = new int[dims.size()];
    boolean empty = false;
    for (int i = 0; i < d.length; i++) {
      long v = dims.get(i);
      if (v < 0) {
        throw new CimcException(loc, what + " has a negative dimension " + v + " in " + dims, null);
      }
      if (v > MAX_ELEMENTS) {
        throw tooLarge(dims, loc, what);
      }
      d[i] = (int) v;
      empty |= v == 0;
    }
    if (!empty) {
      long numel = 1;
      for (int v : d) {
        numel *= v;
        if (numel > MAX_ELEMENTS) {
          throw tooLarge(dims, loc, what);
        }
      }
    }
    return Shape.of(d);
  }

  private static CimcException tooLarge(java.util.List<Long> dims, Location loc, String what) {
    return new CimcException(loc, what + " has dims " + dims + ": more than " + MAX_ELEMENTS
        + " elements, the most cimc holds in one tensor", null);
  }

  private static String typeText(OnnxDataType dt, Shape s) {
    return dt.onnxName() + "[" + s.toString().replace('x', ',') + "]";
  }

  private static int typedCount(Onnx.TensorProto tp) {
    return tp.getFloatDataCount() + tp.getInt32DataCount() + tp.getInt64DataCount() + tp.getDoubleDataCount()
        + tp.getUint64DataCount() + tp.getStringDataCount();
  }

  private static void checkNoTypedData(Onnx.TensorProto tp, OnnxDataType dt, Location loc, String what, String source) {
    if (typedCount(tp) > 0 || (source.equals("external data") && tp.hasRawData())) {
      throw new CimcException(loc, what + " holds its data twice (" + source + " and a typed field)",
          "keep only one of raw_data, the typed *_data fields and external data");
    }
  }

  // ---- raw (little-endian) ----

  private static Tensor fromRaw(TensorType type, OnnxDataType dt, ByteBuffer src, int n) {
    ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
    ElementType et = type.elementType();
    Object data;
    switch (et.storage()) {
      case F32 -> {
        float[] a = new float[n];
        b.asFloatBuffer().get(a);
        data = a;
      }
      case F64 -> {
        double[] a = new double[n];
        b.asDoubleBuffer().get(a);
        data = a;
      }
      case I64 -> {
        long[] a = new long[n];
        b.asLongBuffer().get(a);
        data = a;
      }
      case I32 -> {
        int[] a = new int[n];
        b.asIntBuffer().get(a);
        data = a;
      }
      case F16, I16 -> {
        short[] a = new short[n];
        b.asShortBuffer().get(a);
        data = a;
      }
      case I8 -> {
        byte[] a = new byte[n];
        int bits = dt.rawBits();
        if (bits == 8) {
          b.get(a);
          if (et == ElementType.BOOL) {
            for (int i = 0; i < n; i++) {
              a[i] = (byte) (a[i] != 0 ? 1 : 0);
            }
          }
        } else {
          byte[] packed = new byte[b.remaining()];
          b.get(packed);
          unpack(a, bits, et.isSigned(), i -> packed[i]);
        }
        data = a;
      }
      default -> throw new IllegalStateException("unhandled storage " + et.storage());
    }
    return Tensor.wrap(type, data);
  }

  private interface PackedSource {
    int get(int i);
  }

  /** Unpacks {@code bits}-wide values, least significant first, sign-extending for signed types. */
  private static void unpack(byte[] out, int bits, boolean signed, PackedSource src) {
    int perUnit = 8 / bits;
    int mask = (1 << bits) - 1;
    for (int i = 0; i < out.length; i++) {
      int v = (src.get(i / perUnit) >>> ((i % perUnit) * bits)) & mask;
      if (signed && v >= (1 << (bits - 1))) {
        v -= 1 << bits;
      }
      out[i] = (byte) v;
    }
  }

  // ---- typed fields ----

  private static Tensor fromTypedFields(Onnx.TensorProto tp, TensorType type, OnnxDataType dt, int n, Location loc,
      String what) {
    ElementType et = type.elementType();
    String field;
    int count;
    switch (dt) {
      case FLOAT -> {
        field = "float_data";
        count = tp.getFloatDataCount();
      }
      case DOUBLE -> {
        field = "double_data";
        count = tp.getDoubleDataCount();
      }
      case INT64 -> {
        field = "int64_data";
        count = tp.getInt64DataCount();
      }
      default -> {
        field = "int32_data";
        count = tp.getInt32DataCount();
      }
    }
    int others = typedCount(tp) - count;
    if (others > 0) {
      throw new CimcException(loc, what + " of type " + dt.onnxName() + " has data in a field other than " + field,
          "a tensor's data goes in raw_data or in the typed field of its data type");
    }
    if (count == 0 && n > 0) {
      throw new CimcException(loc, what + " (" + typeText(dt, type.shape()) + ") has no data", null);
    }
    int bits = dt.rawBits();
    boolean packed = bits < 8 && count != n && count == packedUnits(n, bits);
    if (count != n && !packed) {
      throw new CimcException(loc, what + " has " + count + " values in " + field + ", but "
          + typeText(dt, type.shape()) + " needs " + (bits < 8 ? packedUnits(n, bits) + " (packed) or " : "") + n,
          "the tensor's dims do not match its data");
    }
    Object data;
    switch (et.storage()) {
      case F32 -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = tp.getFloatData(i);
        }
        data = a;
      }
      case F64 -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = tp.getDoubleData(i);
        }
        data = a;
      }
      case I64 -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          a[i] = tp.getInt64Data(i);
        }
        data = a;
      }
      case I32 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = tp.getInt32Data(i);
        }
        data = a;
      }
      case F16, I16 -> {
        short[] a = new short[n];
        for (int i = 0; i < n; i++) {
          a[i] = (short) tp.getInt32Data(i);
        }
        data = a;
      }
      case I8 -> {
        byte[] a = new byte[n];
        if (packed) {
          unpack(a, bits, et.isSigned(), tp::getInt32Data);
        } else if (et == ElementType.BOOL) {
          for (int i = 0; i < n; i++) {
            a[i] = (byte) (tp.getInt32Data(i) != 0 ? 1 : 0);
          }
        } else if (bits < 8) {
          // One unpacked value per entry (older writers): keep the low bits, sign-extended for signed types.
          int mask = (1 << bits) - 1;
          for (int i = 0; i < n; i++) {
            int v = tp.getInt32Data(i) & mask;
            a[i] = (byte) (et.isSigned() && v >= (1 << (bits - 1)) ? v - (1 << bits) : v);
          }
        } else {
          for (int i = 0; i < n; i++) {
            a[i] = (byte) tp.getInt32Data(i);
          }
        }
        data = a;
      }
      default -> throw new IllegalStateException("unhandled storage " + et.storage());
    }
    return Tensor.wrap(type, data);
  }

  private static int packedUnits(int n, int bits) {
    int perUnit = 8 / bits;
    return (n + perUnit - 1) / perUnit;
  }

  /** For messages: the dims of a proto as text. */
  static String dimsText(Onnx.TensorProto tp) {
    return Arrays.toString(tp.getDimsList().toArray());
  }
}
