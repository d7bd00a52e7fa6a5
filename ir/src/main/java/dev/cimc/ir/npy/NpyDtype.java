package dev.cimc.ir.npy;

import dev.cimc.ir.type.ElementType;
import java.nio.ByteOrder;

/**
 * A NumPy dtype that maps to a cimc element type, with the byte order of the file.
 *
 * @param elementType the cimc element type the values are read as
 * @param order byte order of multi-byte values in the file
 * @param itemSize bytes per element in the file
 * @param descr the descriptor as the header spelled it, e.g. {@code <f4}
 */
record NpyDtype(ElementType elementType, ByteOrder order, int itemSize, String descr) {
  static final String SUPPORTED =
      "cimc reads bool, int8, uint8, int16, int32, int64, float16, float32 and float64 arrays"
          + " (dtypes |b1 |i1 |u1 <i2 <i4 <i8 <f2 <f4 <f8, or '>' for big-endian)";

  /**
   * Resolves a descriptor such as {@code <f4}, {@code >i8} or {@code |b1}. The byte-order mark may be
   * {@code <} (little), {@code >} (big), {@code =}, {@code |} or absent (the machine's order, as in NumPy).
   */
  static NpyDtype parse(String descr, Origin origin) {
    String body = descr;
    ByteOrder order = ByteOrder.nativeOrder();
    if (!body.isEmpty() && "<>|=".indexOf(body.charAt(0)) >= 0) {
      if (body.charAt(0) == '<') {
        order = ByteOrder.LITTLE_ENDIAN;
      } else if (body.charAt(0) == '>') {
        order = ByteOrder.BIG_ENDIAN;
      }
      body = body.substring(1);
    }
    if (body.equals("O") || body.startsWith("O") && body.substring(1).chars().allMatch(Character::isDigit)) {
      throw origin.error("pickled object arrays are not supported (dtype '" + descr + "')",
          "cimc reads numeric arrays only; convert with a.astype(np.float32) before np.save");
    }
    ElementType et = switch (body) {
      case "b1" -> ElementType.BOOL;
      case "i1" -> ElementType.I8;
      case "u1" -> ElementType.U8;
      case "i2" -> ElementType.I16;
      case "i4" -> ElementType.I32;
      case "i8" -> ElementType.I64;
      case "f2" -> ElementType.F16;
      case "f4" -> ElementType.F32;
      case "f8" -> ElementType.F64;
      default -> null;
    };
    if (et == null) {
      switch (body) {
        case "u2" -> throw unsigned(origin, descr, "uint16", "np.int32");
        case "u4" -> throw unsigned(origin, descr, "uint32", "np.int64");
        case "u8" -> throw origin.error("unsupported dtype '" + descr + "' (uint64): cimc has no uint64 element type",
            "convert with a.astype(np.int64) before np.save if the values fit");
        default -> throw origin.error("unsupported dtype '" + descr + "'", SUPPORTED);
      }
    }
    return new NpyDtype(et, order, et.storageBytes(), descr);
  }

  private static RuntimeException unsigned(Origin origin, String descr, String numpyName, String wider) {
    return origin.error("unsupported dtype '" + descr + "' (" + numpyName + "): cimc has no " + numpyName + " element type",
        "convert with a.astype(" + wider + ") before np.save");
  }

  /**
   * The descriptor cimc writes for an element type: little-endian, and one byte per element for the
   * sub-byte types (i4 and i2 as {@code |i1}, u4 and u2 as {@code |u1}), which NumPy has no dtype for.
   */
  static String descrFor(ElementType t) {
    return switch (t) {
      case F64 -> "<f8";
      case F32 -> "<f4";
      case F16 -> "<f2";
      case I64 -> "<i8";
      case I32 -> "<i4";
      case I16 -> "<i2";
      case I8, I4, I2 -> "|i1";
      case U8, U4, U2 -> "|u1";
      case BOOL -> "|b1";
    };
  }
}
