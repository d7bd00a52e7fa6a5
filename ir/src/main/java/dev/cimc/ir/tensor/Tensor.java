package dev.cimc.ir.tensor;

import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, immutable, row-major tensor on a primitive array (see {@link ElementType.Storage}).
 *
 * <p>Tensors are values: the IR shares one instance among every constant that holds it. The backing
 * array is handed out by the typed accessors ({@link #floats()}, ...) for kernels to read without a copy;
 * callers must not write to it.
 */
public final class Tensor {
  private final TensorType type;
  private final Object data;
  private final int size;

  private Tensor(TensorType type, Object data) {
    this.type = type;
    this.data = data;
    this.size = arrayLength(data);
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
    return (float[]) data;
  }

  public double[] doubles() {
    return (double[]) data;
  }

  public long[] longs() {
    return (long[]) data;
  }

  public int[] ints() {
    return (int[]) data;
  }

  /** Backing short[] of i16 tensors, and the raw half bits of f16 tensors. */
  public short[] shorts() {
    return (short[]) data;
  }

  /** Backing byte[] of i8/u8/i4/u4/i2/u2/bool tensors; unsigned values are masked on read. */
  public byte[] bytes() {
    return (byte[]) data;
  }

  /** The backing array, whatever its kind (read only). */
  public Object rawData() {
    return data;
  }

  /** Element {@code i} as a double, whatever the element type. */
  public double getDouble(int i) {
    return switch (type.elementType().storage()) {
      case F64 -> ((double[]) data)[i];
      case F32 -> ((float[]) data)[i];
      case F16 -> Half.toFloat(((short[]) data)[i]);
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
    return switch (et.storage()) {
      case I64 -> ((long[]) data)[i];
      case I32 -> ((int[]) data)[i];
      case I16 -> ((short[]) data)[i];
      case I8 -> et.isSigned() ? ((byte[]) data)[i] : ((byte[]) data)[i] & 0xFF;
      case F64, F32, F16 -> (long) getDouble(i);
    };
  }

  /** Converts every element to float (a fresh array). */
  public float[] toFloatArray() {
    if (data instanceof float[] f) {
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
    return new Tensor(type.withShape(shape), data);
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
    return new Tensor(newType, data);
  }

  /** Converts to another element type (floats to integers round half to even and saturate). */
  public Tensor cast(ElementType to) {
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
    for (int i = 1; i < size; i++) {
      if (!sameBits(0, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameBits(int a, int b) {
    return switch (type.elementType().storage()) {
      case F64 -> Double.doubleToRawLongBits(((double[]) data)[a]) == Double.doubleToRawLongBits(((double[]) data)[b]);
      case F32 -> Float.floatToRawIntBits(((float[]) data)[a]) == Float.floatToRawIntBits(((float[]) data)[b]);
      case F16, I16 -> ((short[]) data)[a] == ((short[]) data)[b];
      case I64 -> ((long[]) data)[a] == ((long[]) data)[b];
      case I32 -> ((int[]) data)[a] == ((int[]) data)[b];
      case I8 -> ((byte[]) data)[a] == ((byte[]) data)[b];
    };
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
