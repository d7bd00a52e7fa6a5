package dev.cimc.ir.pass;

import dev.cimc.ir.graph.Graph;

/**
 * A configured graph transformation. A pass is its {@link PassDef} (metadata) plus immutable
 * {@link PassOptions}; it keeps no state between runs: everything a run needs or produces (op registry,
 * statistics) goes through the {@link PassContext}. Passes never print; dumps, timing and statistics
 * come from the {@link PassManager}'s instrumentation.
 */
public abstract class Pass {
  private final PassDef def;
  private final PassOptions options;

  protected Pass(PassDef def, PassOptions options) {
    if (options.def() != def) {
      throw new IllegalArgumentException("options of pass '" + options.def().name() + "' given to '"
          + def.name() + "'");
    }
    this.def = def;
    this.options = options;
  }

  /**
   * Transforms the graph in place. Returns true if it changed the graph. A problem the user must fix is
   * reported by throwing a {@link PassFailure} naming the node.
   */
  public abstract boolean run(Graph graph, PassContext context);

  public final PassDef def() {
    return def;
  }

  public final PassOptions options() {
    return options;
  }

  /** The kebab-case CLI name. */
  public final String name() {
    return def.name();
  }

  /** The CamelCase name of dump headers. */
  public final String displayName() {
    return def.displayName();
  }

  /** Same pass and same option values. */
  @Override
  public final boolean equals(Object o) {
    return o instanceof Pass p && p.options.equals(options);
  }

  @Override
  public final int hashCode() {
    return options.hashCode();
  }

  /** The canonical pipeline text of this pass: {@code name} or {@code name{key=value ...}} with every option. */
  @Override
  public final String toString() {
    return def.options().isEmpty() ? def.name() : def.name() + "{" + options.toText() + "}";
  }
}
