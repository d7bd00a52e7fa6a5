package dev.cimc.ir.attr;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/** An immutable attribute dictionary, iterated in sorted key order (so printing is deterministic). */
public final class Attributes {
  public static final Attributes EMPTY = new Attributes(new TreeMap<>());

  private final TreeMap<String, Attribute> map;
  /** The entries again as arrays, for {@link #get}: passes and inference read attributes in hot loops. */
  private final String[] keys;
  private final Attribute[] values;

  private Attributes(TreeMap<String, Attribute> map) {
    this.map = map;
    this.keys = new String[map.size()];
    this.values = new Attribute[map.size()];
    int i = 0;
    for (var e : map.entrySet()) {
      keys[i] = e.getKey();
      values[i++] = e.getValue();
    }
  }

  public static Attributes of(Map<String, ? extends Attribute> m) {
    if (m.isEmpty()) {
      return EMPTY;
    }
    var t = new TreeMap<String, Attribute>();
    for (var e : m.entrySet()) {
      t.put(Objects.requireNonNull(e.getKey()), Objects.requireNonNull(e.getValue(), e.getKey()));
    }
    return new Attributes(t);
  }

  /** Builds a dictionary from alternating names and values: {@code of("axis", Attribute.of(1))}. */
  public static Attributes of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("need name/value pairs");
    }
    var t = new TreeMap<String, Attribute>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      t.put((String) namesAndValues[i], (Attribute) namesAndValues[i + 1]);
    }
    return t.isEmpty() ? EMPTY : new Attributes(t);
  }

  public Attribute get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  public boolean has(String name) {
    return indexOf(name) >= 0;
  }

  /** A scan on cached hashes: faster than the tree walk for the handful of attributes a node has. */
  private int indexOf(String name) {
    int h = name.hashCode();
    for (int i = 0; i < keys.length; i++) {
      String k = keys[i];
      if (k == name || (k.hashCode() == h && k.equals(name))) {
        return i;
      }
    }
    return -1;
  }

  public int size() {
    return map.size();
  }

  /** The name of entry {@code i} in sorted key order (an allocation-free walk for verifiers). */
  public String nameAt(int i) {
    return keys[i];
  }

  /** The value of entry {@code i} in sorted key order. */
  public Attribute valueAt(int i) {
    return values[i];
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(map.keySet());
  }

  /** Entries in sorted key order. */
  public Set<Map.Entry<String, Attribute>> entries() {
    return Collections.unmodifiableMap(map).entrySet();
  }

  public Attributes with(String name, Attribute value) {
    var t = new TreeMap<>(map);
    t.put(name, value);
    return new Attributes(t);
  }

  public Attributes without(String name) {
    if (!map.containsKey(name)) {
      return this;
    }
    var t = new TreeMap<>(map);
    t.remove(name);
    return t.isEmpty() ? EMPTY : new Attributes(t);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Attributes a && map.equals(a.map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return map.toString();
  }
}
