package dev.cimc.ir.op;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every op a compilation knows, looked up by full name. Immutable; build one with {@link #of} from
 * dialects, or take {@link dev.cimc.ir.dialect.Dialects#standard()}.
 */
public final class OpRegistry {
  private final Map<String, OpDef> ops;
  private final List<Dialect> dialects;

  private OpRegistry(List<Dialect> dialects) {
    var m = new TreeMap<String, OpDef>();
    for (Dialect d : dialects) {
      for (OpDef op : d.ops().values()) {
        if (m.put(op.fullName(), op) != null) {
          throw new IllegalArgumentException("op " + op.fullName() + " registered twice");
        }
      }
    }
    this.ops = Collections.unmodifiableMap(m);
    this.dialects = List.copyOf(dialects);
  }

  public static OpRegistry of(List<Dialect> dialects) {
    return new OpRegistry(dialects);
  }

  /** The op with this full name ({@code graph.add}, {@code const}). */
  public Optional<OpDef> lookup(String fullName) {
    return Optional.ofNullable(ops.get(fullName));
  }

  /** The op with this full name; throws {@link IllegalArgumentException} if unknown. */
  public OpDef get(String fullName) {
    OpDef op = ops.get(fullName);
    if (op == null) {
      throw new IllegalArgumentException("unknown op '" + fullName + "'");
    }
    return op;
  }

  /** All ops, sorted by full name. */
  public Map<String, OpDef> ops() {
    return ops;
  }

  public List<Dialect> dialects() {
    return dialects;
  }

  /** Full op names, for "did you mean" hints. */
  public List<String> names() {
    return new ArrayList<>(ops.keySet());
  }
}
