package dev.cimc.ir.dialect;

import dev.cimc.ir.dialect.graph.GraphDialect;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.op.OpRegistry;
import java.util.List;

/** The registries cimc ships. */
public final class Dialects {
  private Dialects() {}

  private static final OpRegistry STANDARD =
      OpRegistry.of(List.of(Builtin.dialect(), GraphDialect.create(), QDialect.create()));

  /** builtin + graph + q: every op of the executable levels (immutable, safe to share). */
  public static OpRegistry standard() {
    return STANDARD;
  }
}
