package dev.cimc.ir.npy;

import dev.cimc.ir.type.Shape;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a {@code .npy} array: dtype, shape and the byte count of the data that follows.
 *
 * @param dtype element type and byte order
 * @param shape dimensions, each within cimc's limits
 * @param shapeText the shape as Python prints it, e.g. {@code (2, 3)}, for messages
 */
record NpyHeader(NpyDtype dtype, Shape shape, String shapeText) {
  /** The most elements a cimc tensor holds (the largest Java array). */
  static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  private static final List<String> KEYS = List.of("descr", "fortran_order", "shape");
  private static final String KEYS_HINT = "a .npy header has exactly the keys 'descr', 'fortran_order' and 'shape'";
  // numpy._format_impl: headers are padded so the data starts on a multiple of 64 bytes, and the first
  // dimension gets room to grow to 21 digits in place.
  private static final int ARRAY_ALIGN = 64;
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;

  /** Elements in the data. */
  long numel() {
    return shape.numel();
  }

  /** Bytes of data after the header. */
  long dataBytes() {
    return numel() * dtype.itemSize();
  }

  /** Parses and checks the header dict text; every problem is a {@code CimcException} at {@code origin}. */
  static NpyHeader parse(String text, Origin origin) {
    Map<String, Object> dict;
    try {
      dict = HeaderParser.parseDict(text);
    } catch (HeaderParser.SyntaxError e) {
      throw malformed(origin, e.getMessage(), text, e.offset);
    }
    for (String key : KEYS) {
      if (!dict.containsKey(key)) {
        throw origin.error("malformed header: missing key '" + key + "'", KEYS_HINT, detail(text, -1), null);
      }
    }
    for (String key : dict.keySet()) {
      if (!KEYS.contains(key)) {
        throw origin.error("malformed header: unexpected key " + HeaderParser.repr(key), KEYS_HINT, detail(text, -1), null);
      }
    }
    Object descr = dict.get("descr");
    Object fortran = dict.get("fortran_order");
    Object shape = dict.get("shape");
    if (descr instanceof List) {
      throw origin.error("unsupported dtype: structured arrays are not supported (descr " + HeaderParser.repr(descr) + ")",
          NpyDtype.SUPPORTED);
    }
    if (!(descr instanceof String descrText)) {
      throw malformed(origin, "'descr' must be a dtype string, got " + HeaderParser.repr(descr), text, -1);
    }
    if (!(fortran instanceof Boolean fortranOrder)) {
      throw malformed(origin, "'fortran_order' must be True or False, got " + HeaderParser.repr(fortran), text, -1);
    }
    if (!(shape instanceof HeaderParser.Tuple tuple) || !tuple.items().stream().allMatch(d -> d instanceof BigInteger)) {
      throw malformed(origin, "'shape' must be a tuple of integers, got " + HeaderParser.repr(shape), text, -1);
    }
    NpyDtype dtype = NpyDtype.parse(descrText, origin);
    String shapeText = HeaderParser.repr(tuple);
    int rank = tuple.items().size();
    int[] dims = new int[rank];
    BigInteger numel = BigInteger.ONE;
    int longDims = 0;
    for (int i = 0; i < rank; i++) {
      var d = (BigInteger) tuple.items().get(i);
      if (d.signum() < 0) {
        throw origin.error("invalid shape " + shapeText + ": negative dimension " + d, null);
      }
      if (d.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
        throw origin.error("shape " + shapeText + " is too large: dimension " + d + " exceeds " + Integer.MAX_VALUE, null);
      }
      dims[i] = d.intValue();
      numel = numel.multiply(d);
      longDims += dims[i] > 1 ? 1 : 0;
    }
    if (numel.compareTo(BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
      throw origin.error("shape " + shapeText + " is too large: " + numel + " elements, a cimc tensor holds at most "
          + MAX_ELEMENTS, null);
    }
    // With at most one dimension above 1, Fortran and C order lay out the same bytes.
    if (fortranOrder && longDims > 1) {
      throw origin.error("fortran_order: True is not supported; cimc reads C-order arrays only",
          "save with np.save(path, np.ascontiguousarray(a))");
    }
    return new NpyHeader(dtype, Shape.of(dims), shapeText);
  }

  private static RuntimeException malformed(Origin origin, String message, String text, int offset) {
    return origin.error("malformed header: " + message, null, detail(text, offset), null);
  }

  /** The header text, and a caret under {@code offset} when it is ≥ 0; null when the text is unprintable. */
  private static String detail(String text, int offset) {
    String t = text.stripTrailing();
    if (t.length() > 200 || offset > t.length()) {
      return null;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return null;
      }
    }
    return "  " + t + (offset >= 0 ? "\n  " + " ".repeat(offset) + "^" : "");
  }

  /**
   * The bytes NumPy writes before the data of an array of this dtype and shape: magic, version, header
   * length, the dict with sorted keys, padding to 64 bytes. Version 1.0 unless the header is too long for it.
   */
  static byte[] encode(String descr, Shape shape) {
    var sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.rank(); i++) {
      sb.append(i == 0 ? "" : ", ").append(shape.dim(i));
    }
    sb.append(shape.rank() == 1 ? ",), }" : "), }");
    if (shape.rank() > 0) {
      sb.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape.dim(0)).length())));
    }
    byte[] dict = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    int hlen = dict.length + 1; // the final '\n'
    int prefix = 10;
    int pad = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
    int major = 1;
    if (hlen + pad > 0xFFFF) {
      major = 2;
      prefix = 12;
      pad = ARRAY_ALIGN - (prefix + hlen) % ARRAY_ALIGN;
    }
    int total = prefix + hlen + pad;
    byte[] out = new byte[total];
    System.arraycopy(NpyFormat.MAGIC, 0, out, 0, NpyFormat.MAGIC.length);
    out[6] = (byte) major;
    out[7] = 0;
    int len = hlen + pad;
    out[8] = (byte) len;
    out[9] = (byte) (len >>> 8);
    if (major == 2) {
      out[10] = (byte) (len >>> 16);
      out[11] = (byte) (len >>> 24);
    }
    System.arraycopy(dict, 0, out, prefix, dict.length);
    for (int i = prefix + dict.length; i < total - 1; i++) {
      out[i] = ' ';
    }
    out[total - 1] = '\n';
    return out;
  }
}
