package dev.cimc.ir.pass;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The option values of one configured pass: every option of its {@link PassDef}, set or defaulted.
 * Immutable; {@link #with} returns a changed copy.
 */
public final class PassOptions {
  private final PassDef def;
  private final Object[] values;

  PassOptions(PassDef def, Object[] values) {
    this.def = def;
    this.values = values;
  }

  /** The definition these options belong to. */
  public PassDef def() {
    return def;
  }

  /** The value of an option: Long, Boolean, Double or String. */
  public Object get(String name) {
    return values[index(name)];
  }

  public long getLong(String name) {
    return (Long) typed(name, PassOption.Type.INT);
  }

  /** An int option as an int (throws if it does not fit). */
  public int getInt(String name) {
    return Math.toIntExact(getLong(name));
  }

  public boolean getBool(String name) {
    return (Boolean) typed(name, PassOption.Type.BOOL);
  }

  public double getDouble(String name) {
    return (Double) typed(name, PassOption.Type.DOUBLE);
  }

  /** A string or enum option. */
  public String getString(String name) {
    int i = index(name);
    PassOption.Type t = def.options().get(i).type();
    if (t != PassOption.Type.STRING && t != PassOption.Type.ENUM) {
      throw new IllegalStateException("option '" + name + "' of pass '" + def.name() + "' is " + t.text()
          + ", not string");
    }
    return (String) values[i];
  }

  private Object typed(String name, PassOption.Type t) {
    int i = index(name);
    if (def.options().get(i).type() != t) {
      throw new IllegalStateException("option '" + name + "' of pass '" + def.name() + "' is "
          + def.options().get(i).type().text() + ", not " + t.text());
    }
    return values[i];
  }

  private int index(String name) {
    int i = def.optionIndex(name);
    if (i < 0) {
      throw new IllegalArgumentException("pass '" + def.name() + "' has no option '" + name + "'");
    }
    return i;
  }

  /** A copy with one option changed; the value is checked (type, bounds, choices). */
  public PassOptions with(String name, Object value) {
    int i = index(name);
    return withChecked(i, def.options().get(i).validate(value, def.name()));
  }

  PassOptions withChecked(int i, Object value) {
    Object[] v = values.clone();
    v[i] = value;
    return new PassOptions(def, v);
  }

  /** All values by option name, in declaration order. */
  public Map<String, Object> asMap() {
    var m = new LinkedHashMap<String, Object>();
    for (int i = 0; i < values.length; i++) {
      m.put(def.options().get(i).name(), values[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  /** {@code key=value key2=value2}, every option in declaration order, canonically spelled. */
  public String toText() {
    var sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      PassOption o = def.options().get(i);
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(o.name()).append('=').append(o.format(values[i]));
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PassOptions p && p.def.name().equals(def.name()) && Arrays.equals(p.values, values);
  }

  @Override
  public int hashCode() {
    return 31 * def.name().hashCode() + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return toText();
  }
}
