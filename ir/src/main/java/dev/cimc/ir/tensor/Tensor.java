package dev.cimc.ir.tensor;

import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable, row-major tensor on a primitive array (see {@link ElementType.Storage}).
 *
 * <p>Tensors are values: the IR shares one instance among every constant that holds it. The backing
 * array is handed out by the typed accessors ({@link #floats()}, ...) for kernels to read without a copy;
 * callers must not write to it.
 *
 * <p>A tensor made by {@link #splat} stores its one element only (weights filled by ONNX ConstantOfShape
 * run to millions of elements). Element reads, {@link #isSplat}, {@link #contentEquals}, reshapes and casts
 * work on that element; the array accessors build the dense array on first use and keep it.
 */
public final class Tensor {
  private final TensorType type;
  /** The dense array; null for a compact splat until an accessor asks for it. */
  private final Object data;
  /** A compact splat's one element (a one-element array); null for dense tensors. */
  private final Object splat;
  /** A compact splat's dense array, made on first use (volatile: tensors are shared across threads). */
  private volatile Object expanded;
  private final int size;

  private Tensor(TensorType type, Object data) {
    this.type = type;
    this.data = data;
    this.splat = null;
    this.size = arrayLength(data);
  }

  private Tensor(TensorType type, Object splat, int size) {
    this.type = type;
    this.data = null;
    this.splat = splat;
    this.size = size;
  }

  /**
   * A tensor of {@code type} with every element equal to the one element of {@code value} (same storage),
   * stored compactly: O(1) memory until its dense array is asked for.
   */
  public static Tensor splat(TensorType type, Tensor value) {
    Objects.requireNonNull(type, "type");
    if (!type.shape().isStatic()) {
      throw new IllegalArgumentException("a tensor needs a static shape, got " + type);
    }
    if (value.size != 1 || value.elementType().storage() != type.elementType().storage()) {
      throw new IllegalArgumentException("a splat of " + type + " needs one element of its storage, got " + value.type);
    }
    long n = type.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor of type " + type + " has " + n + " elements, more than an array holds");
    }
    Object one = newArray(type.elementType().storage(), 1);
    System.arraycopy(value.splat != null ? value.splat : value.data, 0, one, 0, 1);
    return new Tensor(type, one, (int) n);
  }

  /** True when this tensor stores one element for all (made by {@link #splat}). */
  public boolean isCompactSplat() {
    return splat != null;
  }

  /** The dense array, built (once) for a compact splat. */
  private Object array() {
    if (data != null) {
      return data;
    }
    Object e = expanded;
    if (e == null) {
      e = newArray(type.elementType().storage(), size);
      fill(e, splat);
      expanded = e;
    }
    return e;
  }

  private static void fill(Object a, Object one) {
    if (a instanceof float[] f) {
      Arrays.fill(f, ((float[]) one)[0]);
    } else if (a instanceof double[] d) {
      Arrays.fill(d, ((double[]) one)[0]);
    } else if (a instanceof long[] l) {
      Arrays.fill(l, ((long[]) one)[0]);
    } else if (a instanceof int[] i) {
      Arrays.fill(i, ((int[]) one)[0]);
    } else if (a instanceof short[] h) {
      Arrays.fill(h, ((short[]) one)[0]);
    } else {
      Arrays.fill((byte[]) a, ((byte[]) one)[0]);
    }
  }

  /**
   * Wraps an array without copying. The array's class must match the storage of the element type and its
   * length the number of elements; the caller gives up the array.
   */
  public static Tensor wrap(TensorType type, Object data) {
    Objects.requireNonNull(type, "type");
    if (!type.shape().isStatic()) {
      throw new IllegalArgumentException("a tensor needs a static shape, got " + type);
    }
    long n = type.numel();
    Class<?> want = arrayClass(type.elementType().storage());
    if (data.getClass() != want) {
      throw new IllegalArgumentException(
          "storage for " + type.elementType() + " is " + want.getSimpleName() + ", got " + data.getClass().getSimpleName());
    }
    if (arrayLength(data) != n) {
      throw new IllegalArgumentException("tensor of type " + type + " needs " + n + " elements, got " + arrayLength(data));
    }
    return new Tensor(type, data);
  }

  /** A tensor of zeros. */
  public static Tensor zeros(TensorType type) {
    long n = type.numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("tensor of type " + type + " has " + n + " elements, more than an array holds");
    }
    return new Tensor(type, newArray(type.elementType().storage(), (int) n));
  }

  public static Tensor ofFloats(Shape shape, float... values) {
    return wrap(new TensorType(ElementType.F32, shape, null), values.clone());
  }

  public static Tensor ofFloats(int[] dims, float... values) {
    return ofFloats(Shape.of(dims), values);
  }

  public static Tensor scalar(float v) {
    return wrap(TensorType.f32(), new float[] {v});
  }

  public static Tensor ofLongs(int[] dims, long... values) {
    return wrap(TensorType.of(ElementType.I64, dims), values.clone());
  }

  /**
   * Builds a tensor of any element type from doubles; integer types take the values as they are and
   * reject values that are not integers in range.
   */
  public static Tensor fromDoubles(TensorType type, double[] values) {
    var t = zeros(type);
    if (values.length != t.size) {
      throw new IllegalArgumentException("tensor of type " + type + " needs " + t.size + " elements, got " + values.length);
    }
    ElementType et = type.elementType();
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!et.isFloat()) {
        if (v != Math.rint(v) || v < et.minValue() || v > et.maxValue()) {
          throw new IllegalArgumentException("value " + v + " does not fit " + et);
        }
      }
      t.setDouble(i, v);
    }
    return t;
  }

  /** Builds an integer-typed tensor from longs, checking the range of the element type. */
  public static Tensor fromLongs(TensorType type, long[] values) {
    var t = zeros(type);
    if (values.length != t.size) {
      throw new IllegalArgumentException("tensor of type " + type + " needs " + t.size + " elements, got " + values.length);
    }
    ElementType et = type.elementType();
    for (int i = 0; i < values.length; i++) {
      long v = values[i];
      if (!et.isFloat() && (v < et.minValue() || v > et.maxValue())) {
        throw new IllegalArgumentException("value " + v + " does not fit " + et);
      }
      t.setLong(i, v);
    }
    return t;
  }

  public TensorType type() {
    return type;
  }

  public ElementType elementType() {
    return type.elementType();
  }

  public Shape shape() {
    return type.shape();
  }

  public int size() {
    return size;
  }

  /** The backing float[] of an f32 tensor (read only). */
  public float[] floats() {
    return (float[]) array();
  }

  public double[] doubles() {
    return (double[]) array();
  }

  public long[] longs() {
    return (long[]) array();
  }

  public int[] ints() {
    return (int[]) array();
  }

  /** Backing short[] of i16 tensors, and the raw half bits of f16 tensors. */
  public short[] shorts() {
    return (short[]) array();
  }

  /** Backing byte[] of i8/u8/i4/u4/i2/u2/bool tensors; unsigned values are masked on read. */
  public byte[] bytes() {
    return (byte[]) array();
  }

  /** The backing array, whatever its kind (read only). */
  public Object rawData() {
    return array();
  }

  /** Element {@code i} as a double, whatever the element type. */
  public double getDouble(int i) {
    Object a = data;
    if (a == null) {
      Objects.checkIndex(i, size);
      a = splat;
      i = 0;
    }
    return switch (type.elementType().storage()) {
      case F64 -> ((double[]) a)[i];
      case F32 -> ((float[]) a)[i];
      case F16 -> Half.toFloat(((short[]) a)[i]);
      default -> getLong(i);
    };
  }

  /** Element {@code i} as a float. */
  public float getFloat(int i) {
    return (float) getDouble(i);
  }

  /** Element {@code i} as a long; floating values are truncated toward zero. */
  public long getLong(int i) {
    ElementType et = type.elementType();
    Object a = data;
    int j = i;
    if (a == null) {
      Objects.checkIndex(i, size);
      a = splat;
      j = 0;
    }
    return switch (et.storage()) {
      case I64 -> ((long[]) a)[j];
      case I32 -> ((int[]) a)[j];
      case I16 -> ((short[]) a)[j];
      case I8 -> et.isSigned() ? ((byte[]) a)[j] : ((byte[]) a)[j] & 0xFF;
      case F64, F32, F16 -> (long) getDouble(i);
    };
  }

  /** Converts every element to float (a fresh array). */
  public float[] toFloatArray() {
    if (array() instanceof float[] f) {
      return f.clone();
    }
    float[] out = new float[size];
    for (int i = 0; i < size; i++) {
      out[i] = getFloat(i);
    }
    return out;
  }

  /** Converts every element to long (a fresh array). */
  public long[] toLongArray() {
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = getLong(i);
    }
    return out;
  }

  /** The same data under another shape with the same element count (no copy). */
  public Tensor reshape(Shape shape) {
    if (shape.numel() != size) {
      throw new IllegalArgumentException("cannot reshape " + type + " to " + shape);
    }
    return splat != null ? new Tensor(type.withShape(shape), splat, size) : new Tensor(type.withShape(shape), data);
  }

  /** Rows {@code [start, start + count)} along the first axis, copied (a batch's samples). */
  public Tensor rows(int start, int count) {
    int rank = type.rank();
    if (rank == 0 || start < 0 || count < 0 || start + count > type.dim(0)) {
      throw new IndexOutOfBoundsException("rows [" + start + ", " + (start + count) + ") of " + type);
    }
    int per = type.dim(0) == 0 ? 0 : size / type.dim(0);
    Object dst = java.lang.reflect.Array.newInstance(data.getClass().getComponentType(), per * count);
    System.arraycopy(data, start * per, dst, 0, per * count);
    int[] dims = type.shape().dims();
    dims[0] = count;
    return new Tensor(type.withShape(Shape.of(dims)), dst);
  }

  /** The same data under another type with the same storage and element count (no copy). */
  public Tensor withType(TensorType newType) {
    if (newType.elementType().storage() != type.elementType().storage() || newType.numel() != size) {
      throw new IllegalArgumentException("cannot view " + type + " as " + newType);
    }
    return splat != null ? new Tensor(newType, splat, size) : new Tensor(newType, data);
  }

  /** Converts to another element type (floats to integers round half to even and saturate). */
  public Tensor cast(ElementType to) {
    if (splat != null) {
      return splat(new TensorType(to, type.shape(), null), new Tensor(type.withShape(Shape.of(1)), splat).cast(to));
    }
    var out = zeros(new TensorType(to, type.shape(), null));
    if (to.isFloat()) {
      for (int i = 0; i < size; i++) {
        out.setDouble(i, getDouble(i));
      }
    } else if (type.elementType().isFloat()) {
      for (int i = 0; i < size; i++) {
        double v = Math.rint(getDouble(i));
        long l = Double.isNaN(v) ? 0 : (long) Math.max(to.minValue(), Math.min(to.maxValue(), v));
        out.setLong(i, to == ElementType.BOOL ? (getDouble(i) != 0 ? 1 : 0) : l);
      }
    } else {
      for (int i = 0; i < size; i++) {
        long v = getLong(i);
        out.setLong(i, to == ElementType.BOOL ? (v != 0 ? 1 : 0) : Math.max(to.minValue(), Math.min(to.maxValue(), v)));
      }
    }
    return out;
  }

  // Writers are private: a Tensor is immutable once it leaves its factory.
  private void setDouble(int i, double v) {
    switch (type.elementType().storage()) {
      case F64 -> ((double[]) data)[i] = v;
      case F32 -> ((float[]) data)[i] = (float) v;
      case F16 -> ((short[]) data)[i] = Half.fromDouble(v);
      default -> setLong(i, (long) v);
    }
  }

  private void setLong(int i, long v) {
    switch (type.elementType().storage()) {
      case I64 -> ((long[]) data)[i] = v;
      case I32 -> ((int[]) data)[i] = (int) v;
      case I16 -> ((short[]) data)[i] = (short) v;
      case I8 -> ((byte[]) data)[i] = (byte) v;
      default -> setDouble(i, v);
    }
  }

  /** True when both tensors have the same type and bit-identical elements. */
  public boolean contentEquals(Tensor o) {
    if (!type.equals(o.type)) {
      return false;
    }
    if (splat != null || o.splat != null) {
      // a compact splat equals a tensor whose elements all have its element's bits
      Tensor s = splat != null ? this : o;
      Tensor other = s == this ? o : this;
      Object one = s.splat;
      Object a = other.splat != null ? other.splat : other.data;
      int n = other.splat != null ? 1 : size;
      for (int i = 0; i < n; i++) {
        if (!sameBits(one, 0, a, i)) {
          return false;
        }
      }
      return true;
    }
    return switch (type.elementType().storage()) {
      case F64 -> Arrays.equals((double[]) data, (double[]) o.data);
      case F32 -> Arrays.equals((float[]) data, (float[]) o.data);
      case F16, I16 -> Arrays.equals((short[]) data, (short[]) o.data);
      case I64 -> Arrays.equals((long[]) data, (long[]) o.data);
      case I32 -> Arrays.equals((int[]) data, (int[]) o.data);
      case I8 -> Arrays.equals((byte[]) data, (byte[]) o.data);
    };
  }

  /** A hash of type and content, consistent with {@link #contentEquals}. */
  public int contentHash() {
    int h = type.hashCode();
    if (splat != null) {
      // Arrays.hashCode of the dense array, without building it
      int e = elementHash(splat);
      int r = 1;
      for (int i = 0; i < size; i++) {
        r = 31 * r + e;
      }
      return 31 * h + r;
    }
    return 31 * h + switch (type.elementType().storage()) {
      case F64 -> Arrays.hashCode((double[]) data);
      case F32 -> Arrays.hashCode((float[]) data);
      case F16, I16 -> Arrays.hashCode((short[]) data);
      case I64 -> Arrays.hashCode((long[]) data);
      case I32 -> Arrays.hashCode((int[]) data);
      case I8 -> Arrays.hashCode((byte[]) data);
    };
  }

  /** True when every element has the same bits (a splat). */
  public boolean isSplat() {
    if (splat != null) {
      return true;
    }
    for (int i = 1; i < size; i++) {
      if (!sameBits(data, 0, data, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameBits(Object x, int a, Object y, int b) {
    return switch (type.elementType().storage()) {
      case F64 -> Double.doubleToRawLongBits(((double[]) x)[a]) == Double.doubleToRawLongBits(((double[]) y)[b]);
      case F32 -> Float.floatToRawIntBits(((float[]) x)[a]) == Float.floatToRawIntBits(((float[]) y)[b]);
      case F16, I16 -> ((short[]) x)[a] == ((short[]) y)[b];
      case I64 -> ((long[]) x)[a] == ((long[]) y)[b];
      case I32 -> ((int[]) x)[a] == ((int[]) y)[b];
      case I8 -> ((byte[]) x)[a] == ((byte[]) y)[b];
    };
  }

  /** What Arrays.hashCode adds for the first element of a one-element array. */
  private static int elementHash(Object one) {
    if (one instanceof float[] f) {
      return Float.hashCode(f[0]);
    } else if (one instanceof double[] d) {
      return Double.hashCode(d[0]);
    } else if (one instanceof long[] l) {
      return Long.hashCode(l[0]);
    } else if (one instanceof int[] i) {
      return i[0];
    } else if (one instanceof short[] h) {
      return h[0];
    }
    return ((byte[]) one)[0];
  }

  /** Memory held by the data, in bytes. */
  public long byteSize() {
    return (long) size * type.elementType().storageBytes();
  }

  @Override
  public String toString() {
    return "Tensor" + type + (size <= 8 ? toFloatArrayString() : "");
  }

  private String toFloatArrayString() {
    var sb = new StringBuilder("[");
    for (int i = 0; i < size; i++) {
      sb.append(i == 0 ? "" : ", ").append(type.elementType().isFloat() ? Double.toString(getDouble(i)) : Long.toString(getLong(i)));
    }
    return sb.append(']').toString();
  }

  static Class<?> arrayClass(ElementType.Storage s) {
    return switch (s) {
      case F64 -> double[].class;
      case F32 -> float[].class;
      case F16, I16 -> short[].class;
      case I64 -> long[].class;
      case I32 -> int[].class;
      case I8 -> byte[].class;
    };
  }

  static Object newArray(ElementType.Storage s, int n) {
    return switch (s) {
      case F64 -> new double[n];
      case F32 -> new float[n];
      case F16, I16 -> new short[n];
      case I64 -> new long[n];
      case I32 -> new int[n];
      case I8 -> new byte[n];
    };
  }

  private static int arrayLength(Object a) {
    if (a instanceof float[] f) {
      return f.length;
    } else if (a instanceof double[] d) {
      return d.length;
    } else if (a instanceof long[] l) {
      return l.length;
    } else if (a instanceof int[] i) {
      return i.length;
    } else if (a instanceof short[] s) {
      return s.length;
    } else if (a instanceof byte[] b) {
      return b.length;
    }
    throw new IllegalArgumentException("not a primitive tensor array: " + a.getClass());
  }
}
