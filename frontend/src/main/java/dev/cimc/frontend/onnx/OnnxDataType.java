package dev.cimc.frontend.onnx;

import dev.cimc.ir.type.ElementType;

/**
 * The ONNX element types ({@code TensorProto.DataType}) and the cimc element type each maps to. Types cimc
 * has no element type for (strings, unsigned 16-64 bit, complex, bfloat16, the 8- and 4-bit floats) map to
 * null and are rejected where they appear.
 */
enum OnnxDataType {
  UNDEFINED(0, null),
  FLOAT(1, ElementType.F32),
  UINT8(2, ElementType.U8),
  INT8(3, ElementType.I8),
  UINT16(4, null),
  INT16(5, ElementType.I16),
  INT32(6, ElementType.I32),
  INT64(7, ElementType.I64),
  STRING(8, null),
  BOOL(9, ElementType.BOOL),
  FLOAT16(10, ElementType.F16),
  DOUBLE(11, ElementType.F64),
  UINT32(12, null),
  UINT64(13, null),
  COMPLEX64(14, null),
  COMPLEX128(15, null),
  BFLOAT16(16, null),
  FLOAT8E4M3FN(17, null),
  FLOAT8E4M3FNUZ(18, null),
  FLOAT8E5M2(19, null),
  FLOAT8E5M2FNUZ(20, null),
  UINT4(21, ElementType.U4),
  INT4(22, ElementType.I4),
  FLOAT4E2M1(23, null),
  FLOAT8E8M0(24, null),
  UINT2(25, ElementType.U2),
  INT2(26, ElementType.I2);

  private static final OnnxDataType[] BY_CODE = values();

  private final int code;
  private final ElementType elementType;

  OnnxDataType(int code, ElementType elementType) {
    this.code = code;
    this.elementType = elementType;
  }

  int code() {
    return code;
  }

  /** The cimc element type, or null when cimc has none. */
  ElementType elementType() {
    return elementType;
  }

  /** The ONNX spelling, e.g. {@code float}, {@code uint16}. */
  String onnxName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The data type with this code, or null for codes ONNX does not define. */
  static OnnxDataType ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  /** The ONNX data type of a cimc element type. */
  static OnnxDataType of(ElementType et) {
    for (OnnxDataType t : BY_CODE) {
      if (t.elementType == et) {
        return t;
      }
    }
    throw new IllegalStateException("no ONNX data type for " + et);
  }

  /** "float16", or "data type 99" for an unknown code. */
  static String describe(int code) {
    OnnxDataType t = ofCode(code);
    return t == null ? "data type " + code : t.onnxName();
  }

  /** Bits per element in raw_data (sub-byte types are packed). */
  int rawBits() {
    return switch (this) {
      case UINT4, INT4, FLOAT4E2M1 -> 4;
      case UINT2, INT2 -> 2;
      default -> elementType == null ? 0 : elementType.storageBytes() * 8;
    };
  }
}
