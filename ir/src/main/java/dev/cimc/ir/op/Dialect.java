package dev.cimc.ir.op;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A named, immutable set of op definitions ({@code graph}, {@code q}, the builtin ops under ""). */
public final class Dialect {
  private final String name;
  private final String summary;
  private final Map<String, OpDef> ops;

  public Dialect(String name, String summary, List<OpDef> ops) {
    this.name = name;
    this.summary = summary;
    var m = new TreeMap<String, OpDef>();
    for (OpDef op : ops) {
      if (!op.dialect().equals(name)) {
        throw new IllegalArgumentException(op.fullName() + " does not belong to dialect '" + name + "'");
      }
      if (m.put(op.name(), op) != null) {
        throw new IllegalArgumentException("op " + op.fullName() + " defined twice");
      }
    }
    this.ops = Collections.unmodifiableMap(m);
  }

  public String name() {
    return name;
  }

  public String summary() {
    return summary;
  }

  /** Ops by short name, sorted. */
  public Map<String, OpDef> ops() {
    return ops;
  }
}
