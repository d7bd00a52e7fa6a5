package dev.cimc.ir.pass;

import dev.cimc.ir.op.OpRegistry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of one pass may use and record: the op registry of the compilation and the pass's
 * statistics counters, and the {@link PassResources} of the compilation. A fresh context is made for every pass run, so passes carry nothing over.
 */
public final class PassContext {
  private final Pass pass;
  private final OpRegistry registry;
  private final long[] counters;
  private final PassResources resources;

  public PassContext(Pass pass, OpRegistry registry) {
    this(pass, registry, PassResources.empty());
  }

  public PassContext(Pass pass, OpRegistry registry, PassResources resources) {
    this.pass = pass;
    this.registry = registry;
    this.counters = new long[pass.def().statistics().size()];
    this.resources = resources;
  }

  /** The resource of {@code type} the compilation gave its passes, if any (see {@link PassResources}). */
  public <T> java.util.Optional<T> resource(Class<T> type) {
    return resources.get(type);
  }

  public Pass pass() {
    return pass;
  }

  /** The ops of the compilation, e.g. for building replacement nodes. */
  public OpRegistry registry() {
    return registry;
  }

  /** Adds one to a statistic the pass declared. */
  public void increment(String statistic) {
    add(statistic, 1);
  }

  /** Adds {@code delta} to a statistic the pass declared. */
  public void add(String statistic, long delta) {
    counters[index(statistic)] += delta;
  }

  /** The current value of a statistic. */
  public long statistic(String statistic) {
    return counters[index(statistic)];
  }

  /** Every declared statistic with its value, in declaration order. */
  public Map<String, Long> statistics() {
    var m = new LinkedHashMap<String, Long>();
    List<Statistic> stats = pass.def().statistics();
    for (int i = 0; i < counters.length; i++) {
      m.put(stats.get(i).name(), counters[i]);
    }
    return Collections.unmodifiableMap(m);
  }

  private int index(String statistic) {
    List<Statistic> stats = pass.def().statistics();
    for (int i = 0; i < stats.size(); i++) {
      if (stats.get(i).name().equals(statistic)) {
        return i;
      }
    }
    throw new IllegalArgumentException("pass '" + pass.name() + "' declares no statistic '" + statistic + "'");
  }
}
