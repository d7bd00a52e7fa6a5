package dev.cimc.frontend.dsl;

import dev.cimc.ir.graph.Value;
import java.util.ArrayList;
import java.util.List;

/** A value during lowering: a tensor in the graph being built, a number, a list, a string, or poison. */
sealed interface Val {
  /** The text of the value as DSL source ({@code 3}, {@code [1, 2]}, {@code "x"}). */
  String text();

  /** A tensor: an SSA value of the graph. */
  record TensorV(Value value) implements Val {
    @Override
    public String text() {
      return TypeText.of(value.type());
    }
  }

  /** The tensors given to a variadic parameter ({@code concat(a, b, c)}). */
  record TensorsV(List<Value> values) implements Val {
    public TensorsV {
      values = List.copyOf(values);
    }

    @Override
    public String text() {
      return values.size() + " tensors";
    }
  }

  /** An integer. */
  record IntV(long value) implements Val {
    @Override
    public String text() {
      return Long.toString(value);
    }
  }

  /** A float. */
  record FloatV(double value) implements Val {
    @Override
    public String text() {
      return Double.toString(value);
    }
  }

  /** A boolean. */
  record BoolV(boolean value) implements Val {
    @Override
    public String text() {
      return Boolean.toString(value);
    }
  }

  /** A string (or a bare word given to a {@link Kind#SYMBOL} parameter). */
  record StrV(String value) implements Val {
    @Override
    public String text() {
      return "\"" + value + "\"";
    }
  }

  /** A list of integers (shapes, kernel sizes). */
  record IntsV(List<Long> values) implements Val {
    public IntsV {
      values = List.copyOf(values);
    }

    static IntsV of(long... vs) {
      var l = new ArrayList<Long>(vs.length);
      for (long v : vs) {
        l.add(v);
      }
      return new IntsV(l);
    }

    long[] toArray() {
      long[] a = new long[values.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = values.get(i);
      }
      return a;
    }

    @Override
    public String text() {
      var parts = new ArrayList<String>();
      for (long v : values) {
        parts.add(Long.toString(v));
      }
      return "[" + String.join(", ", parts) + "]";
    }
  }

  /** A list of floats. */
  record FloatsV(List<Double> values) implements Val {
    public FloatsV {
      values = List.copyOf(values);
    }

    @Override
    public String text() {
      var parts = new ArrayList<String>();
      for (double v : values) {
        parts.add(Double.toString(v));
      }
      return "[" + String.join(", ", parts) + "]";
    }
  }

  /** The value of an expression whose error was already reported; everything computed from it is poison. */
  record Poison() implements Val {
    @Override
    public String text() {
      return "?";
    }
  }

  Poison POISON = new Poison();

  /** The static type this value has. */
  static SType typeOf(Val v) {
    if (v instanceof TensorV || v instanceof TensorsV) {
      return SType.TENSOR;
    }
    if (v instanceof IntV) {
      return SType.INT;
    }
    if (v instanceof FloatV) {
      return SType.FLOAT;
    }
    if (v instanceof BoolV) {
      return SType.BOOL;
    }
    if (v instanceof StrV) {
      return SType.STRING;
    }
    if (v instanceof IntsV) {
      return SType.INTS;
    }
    if (v instanceof FloatsV) {
      return SType.FLOATS;
    }
    return SType.UNKNOWN;
  }
}
