package dev.cimc.ir.type;

import java.util.Arrays;

/** An immutable tensor shape. A dimension of {@link #DYNAMIC} is unknown until bound (printed {@code ?}). */
public final class Shape {
  public static final int DYNAMIC = -1;
  public static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final int hash;

  private Shape(int[] dims) {
    this.dims = dims;
    this.hash = Arrays.hashCode(dims);
  }

  /** Builds a shape; every dimension must be ≥ 0 or {@link #DYNAMIC}. */
  public static Shape of(int... dims) {
    for (int d : dims) {
      if (d < 0 && d != DYNAMIC) {
        throw new IllegalArgumentException("negative dimension " + d + " in " + Arrays.toString(dims));
      }
    }
    return dims.length == 0 ? SCALAR : new Shape(dims.clone());
  }

  /** Builds a shape from long dimensions, rejecting values that do not fit an int. */
  public static Shape ofLongs(long... dims) {
    int[] d = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] > Integer.MAX_VALUE || (dims[i] < 0 && dims[i] != DYNAMIC)) {
        throw new IllegalArgumentException("dimension " + dims[i] + " out of range in " + Arrays.toString(dims));
      }
      d[i] = (int) dims[i];
    }
    return of(d);
  }

  public int rank() {
    return dims.length;
  }

  public int dim(int i) {
    return dims[i];
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  public boolean isStatic() {
    for (int d : dims) {
      if (d == DYNAMIC) {
        return false;
      }
    }
    return true;
  }

  /** Number of elements; throws if a dimension is dynamic. */
  public long numel() {
    long n = 1;
    for (int d : dims) {
      if (d == DYNAMIC) {
        throw new IllegalStateException("numel of a dynamic shape " + this);
      }
      n *= d;
    }
    return n;
  }

  /** Row-major strides in elements. */
  public long[] strides() {
    long[] s = new long[dims.length];
    long acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && hash == s.hash && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** The text form used inside {@code tensor<...>}: {@code 1x3x?x224}; empty for a scalar. */
  @Override
  public String toString() {
    var sb = new StringBuilder();
    for (int i = 0; i < dims.length; i++) {
      if (i > 0) {
        sb.append('x');
      }
      sb.append(dims[i] == DYNAMIC ? "?" : Integer.toString(dims[i]));
    }
    return sb.toString();
  }
}
