package dev.cimc.ir.attr;

import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.util.Arrays;
import java.util.List;

/** A typed, immutable attribute value of a node. */
public sealed interface Attribute {

  /** The kind of the value, matched against an op's attribute schema. */
  AttrKind kind();

  record IntAttr(long value) implements Attribute {
    @Override
    public AttrKind kind() {
      return AttrKind.INT;
    }
  }

  record FloatAttr(double value) implements Attribute {
    @Override
    public AttrKind kind() {
      return AttrKind.FLOAT;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FloatAttr f && Double.doubleToLongBits(value) == Double.doubleToLongBits(f.value);
    }

    @Override
    public int hashCode() {
      return Double.hashCode(value);
    }
  }

  record BoolAttr(boolean value) implements Attribute {
    @Override
    public AttrKind kind() {
      return AttrKind.BOOL;
    }
  }

  record StringAttr(String value) implements Attribute {
    public StringAttr {
      java.util.Objects.requireNonNull(value);
    }

    @Override
    public AttrKind kind() {
      return AttrKind.STRING;
    }
  }

  /** A list of integers. The array is copied in and out; use {@link #get(int)} in loops. */
  record IntsAttr(long[] values) implements Attribute {
    public IntsAttr {
      values = values.clone();
    }

    @Override
    public long[] values() {
      return values.clone();
    }

    public int size() {
      return values.length;
    }

    public long get(int i) {
      return values[i];
    }

    /** The values as ints, rejecting any that do not fit. */
    public int[] toInts() {
      int[] out = new int[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = Math.toIntExact(values[i]);
      }
      return out;
    }

    @Override
    public AttrKind kind() {
      return AttrKind.INTS;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntsAttr a && Arrays.equals(values, a.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "IntsAttr" + Arrays.toString(values);
    }
  }

  /** A list of floats. */
  record FloatsAttr(double[] values) implements Attribute {
    public FloatsAttr {
      values = values.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    public int size() {
      return values.length;
    }

    public double get(int i) {
      return values[i];
    }

    @Override
    public AttrKind kind() {
      return AttrKind.FLOATS;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FloatsAttr a && Arrays.equals(values, a.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return "FloatsAttr" + Arrays.toString(values);
    }
  }

  record StringsAttr(List<String> values) implements Attribute {
    public StringsAttr {
      values = List.copyOf(values);
    }

    @Override
    public AttrKind kind() {
      return AttrKind.STRINGS;
    }
  }

  /** A whole tensor, e.g. the value of a constant. Equality is by content. */
  record TensorAttr(Tensor value) implements Attribute {
    public TensorAttr {
      java.util.Objects.requireNonNull(value);
    }

    @Override
    public AttrKind kind() {
      return AttrKind.TENSOR;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TensorAttr t && (t.value == value || t.value.contentEquals(value));
    }

    @Override
    public int hashCode() {
      return value.contentHash();
    }
  }

  /** An element type, e.g. the target of a cast. */
  record TypeAttr(ElementType value) implements Attribute {
    public TypeAttr {
      java.util.Objects.requireNonNull(value);
    }

    @Override
    public AttrKind kind() {
      return AttrKind.TYPE;
    }
  }

  static IntAttr of(long v) {
    return new IntAttr(v);
  }

  static FloatAttr of(double v) {
    return new FloatAttr(v);
  }

  static BoolAttr of(boolean v) {
    return new BoolAttr(v);
  }

  static StringAttr of(String v) {
    return new StringAttr(v);
  }

  static IntsAttr ints(long... v) {
    return new IntsAttr(v);
  }

  static IntsAttr ints(int... v) {
    long[] l = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      l[i] = v[i];
    }
    return new IntsAttr(l);
  }

  static FloatsAttr floats(double... v) {
    return new FloatsAttr(v);
  }
}
