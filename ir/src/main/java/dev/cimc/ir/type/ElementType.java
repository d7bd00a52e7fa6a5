package dev.cimc.ir.type;

import java.util.Optional;

/** Scalar element types of tensors. Sub-byte integer types are stored one value per byte. */
public enum ElementType {
  F64("f64", 64, true, true, Storage.F64),
  F32("f32", 32, true, true, Storage.F32),
  F16("f16", 16, true, true, Storage.F16),
  I64("i64", 64, false, true, Storage.I64),
  I32("i32", 32, false, true, Storage.I32),
  I16("i16", 16, false, true, Storage.I16),
  I8("i8", 8, false, true, Storage.I8),
  U8("u8", 8, false, false, Storage.I8),
  I4("i4", 4, false, true, Storage.I8),
  U4("u4", 4, false, false, Storage.I8),
  I2("i2", 2, false, true, Storage.I8),
  U2("u2", 2, false, false, Storage.I8),
  BOOL("bool", 1, false, false, Storage.I8);

  /** The primitive array that holds values of a type. */
  public enum Storage {
    /** double[] */
    F64,
    /** float[] */
    F32,
    /** short[] of IEEE 754 half-precision bits */
    F16,
    /** long[] */
    I64,
    /** int[] */
    I32,
    /** short[] */
    I16,
    /** byte[]; unsigned types are read with a mask */
    I8
  }

  private final String text;
  private final int bits;
  private final boolean floating;
  private final boolean signed;
  private final Storage storage;

  ElementType(String text, int bits, boolean floating, boolean signed, Storage storage) {
    this.text = text;
    this.bits = bits;
    this.floating = floating;
    this.signed = signed;
    this.storage = storage;
  }

  /** The spelling in the text format, e.g. {@code f32}, {@code u4}. */
  public String text() {
    return text;
  }

  public int bits() {
    return bits;
  }

  public boolean isFloat() {
    return floating;
  }

  public boolean isInteger() {
    return !floating && this != BOOL;
  }

  public boolean isSigned() {
    return signed;
  }

  public Storage storage() {
    return storage;
  }

  /** Smallest representable value of an integer type (0 for bool). */
  public long minValue() {
    if (this == BOOL) {
      return 0;
    }
    if (floating) {
      throw new IllegalStateException(text + " has no integer range");
    }
    return signed ? -(1L << (bits - 1)) : 0;
  }

  /** Largest representable value of an integer type (1 for bool). */
  public long maxValue() {
    if (this == BOOL) {
      return 1;
    }
    if (floating) {
      throw new IllegalStateException(text + " has no integer range");
    }
    if (bits == 64) {
      return Long.MAX_VALUE;
    }
    return signed ? (1L << (bits - 1)) - 1 : (1L << bits) - 1;
  }

  /** Bytes one element takes in memory (sub-byte types take one byte). */
  public int storageBytes() {
    return switch (storage) {
      case F64, I64 -> 8;
      case F32, I32 -> 4;
      case F16, I16 -> 2;
      case I8 -> 1;
    };
  }

  private static final ElementType[] VALUES = values();

  /** Looks up a type by its text spelling. */
  public static Optional<ElementType> fromText(String s) {
    for (ElementType t : VALUES) {
      if (t.text.equals(s)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return text;
  }
}
