package dev.cimc.ir.quant.calibrate;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.quant.observe.Observer;
import dev.cimc.ir.quant.observe.ObserverSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sets activation ranges: runs each sample through the reference interpreter keeping intermediates, feeds
 * every float value (graph inputs and node results; constants are weights and get their ranges from
 * {@code dev.cimc.ir.quant.ptq.WeightRanges}) to its observer, and drops the sample's tensors before the next.
 * Observers of one sample run in parallel (each observer still sees the samples in order, so results do
 * not depend on the thread count).
 */
public final class Calibrator {
  private Calibrator() {}

  /**
   * How to calibrate.
   *
   * @param observers the observer for activations
   * @param scheme the activation scheme (its axis picks per-tensor or per-channel observers)
   * @param classifier the observer for the classifier's logits (values feeding softmax/log_softmax, and
   *     graph outputs made by gemm or matmul), or null to treat them like other activations
   * @param threads interpreter and observer threads
   * @param perValue observer and scheme of single values by name (mixed precision), overriding the above
   */
  public record Settings(ObserverSpec observers, QuantScheme scheme, ObserverSpec classifier, int threads,
      Map<String, ValueSettings> perValue) {
    public Settings {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
      }
      perValue = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(perValue));
    }

    /** Settings without per-value overrides. */
    public Settings(ObserverSpec observers, QuantScheme scheme, ObserverSpec classifier, int threads) {
      this(observers, scheme, classifier, threads, Map.of());
    }

    /** These settings with per-value overrides. */
    public Settings withPerValue(Map<String, ValueSettings> overrides) {
      return new Settings(observers, scheme, classifier, threads, overrides);
    }

    /** Min-max per tensor on unsigned 8-bit activations, cross-entropy on the logits, two threads. */
    public static Settings defaults() {
      return new Settings(ObserverSpec.of(RangeMethod.MIN_MAX), QuantScheme.activations(8),
          ObserverSpec.of(RangeMethod.CROSS_ENTROPY), 2);
    }

    public Settings withObservers(ObserverSpec spec) {
      return new Settings(spec, scheme, classifier, threads, perValue);
    }

    public Settings withThreads(int n) {
      return new Settings(observers, scheme, classifier, n, perValue);
    }

    public Settings withScheme(QuantScheme activations) {
      return new Settings(observers, activations, classifier, threads, perValue);
    }

    public Settings withClassifier(ObserverSpec spec) {
      return new Settings(observers, scheme, spec, threads, perValue);
    }
  }

  /**
   * The observer and scheme of one value, where they differ from the settings' (null fields keep those).
   *
   * @param observers the observer, or null
   * @param scheme the activation scheme the range is searched for (MSE, KL), or null
   */
  public record ValueSettings(ObserverSpec observers, QuantScheme scheme) {}

  /** Told after each sample: {@code done} of {@code total} samples are through. */
  @FunctionalInterface
  public interface Progress {
    void update(int done, int total);

    /** Ignores progress. */
    Progress NONE = (done, total) -> {};
  }

  /** Calibrates {@code g} on {@code data}. */
  public static CalibrationResult calibrate(Graph g, CalibrationData data, Settings s, Progress progress) {
    var observers = new LinkedHashMap<String, Observer>();
    var methods = new LinkedHashMap<String, RangeMethod>();
    for (Value in : g.inputs()) {
      addObserver(in, s, observers, methods);
    }
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().has(Trait.CONSTANT_LIKE)) {
        continue;
      }
      for (Value r : n.results()) {
        addObserver(r, s, observers, methods);
      }
    }
    List<String> names = new ArrayList<>(observers.keySet());
    int total = data.size();
    ExecutorService pool = s.threads() > 1 ? Executors.newFixedThreadPool(s.threads(), r -> {
      Thread t = new Thread(r, "cimc-calibrate");
      t.setDaemon(true);
      return t;
    }) : null;
    try (Interpreter interp = Interpreter.withThreads(s.threads())) {
      for (int i = 0; i < total; i++) {
        Map<String, Tensor> inputs = data.sample(i);
        Interpreter.Result res = interp.run(g, inputs, true);
        var tasks = new ArrayList<Callable<Void>>(names.size());
        for (String name : names) {
          Tensor t = res.intermediates().get(name);
          if (t == null) {
            t = inputs.get(name);
          }
          Tensor x = t;
          Observer o = observers.get(name);
          tasks.add(() -> {
            o.observe(x);
            return null;
          });
        }
        runAll(pool, tasks);
        progress.update(i + 1, total);
      }
      // Range searches (histogram scans, KL, cross-entropy) are independent per value: run them in parallel.
      var found = new ValueRange[names.size()];
      var searches = new ArrayList<Callable<Void>>(names.size());
      for (int k = 0; k < names.size(); k++) {
        int slot = k;
        Observer o = observers.get(names.get(k));
        searches.add(() -> {
          found[slot] = o.range();
          return null;
        });
      }
      runAll(pool, searches);
      var ranges = new LinkedHashMap<String, ValueRange>();
      for (int k = 0; k < names.size(); k++) {
        ranges.put(names.get(k), found[k]);
      }
      return new CalibrationResult(ranges, methods, total, data.warnings());
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  private static void runAll(ExecutorService pool, List<Callable<Void>> tasks) {
    if (pool == null) {
      for (Callable<Void> t : tasks) {
        try {
          t.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return;
    }
    try {
      for (Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("calibration interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static void addObserver(Value v, Settings s, Map<String, Observer> observers,
      Map<String, RangeMethod> methods) {
    if (!v.type().elementType().isFloat() || v.type().isQuantized()) {
      return;
    }
    ObserverSpec spec = s.classifier() != null && isLogits(v) ? s.classifier() : s.observers();
    QuantScheme scheme = s.scheme();
    ValueSettings own = s.perValue().get(v.name());
    if (own != null) {
      spec = own.observers() != null ? own.observers() : spec;
      scheme = own.scheme() != null ? own.scheme() : scheme;
    }
    int axis = scheme.axis();
    if (axis != QuantParams.PER_TENSOR && axis >= v.type().rank()) {
      axis = QuantParams.PER_TENSOR;
    }
    if (spec.method() == RangeMethod.CROSS_ENTROPY) {
      axis = QuantParams.PER_TENSOR;
    }
    observers.put(v.name(), spec.create(scheme, axis));
    methods.put(v.name(), spec.method());
  }

  /** Logits of a classifier: fed to a softmax, or a graph output computed by gemm or matmul. */
  static boolean isLogits(Value v) {
    for (Node u : v.users()) {
      String op = u.op().fullName();
      if (op.equals("graph.softmax") || op.equals("graph.log_softmax")) {
        return true;
      }
    }
    Node p = v.producer();
    return v.graph().isOutput(v) && p != null
        && (p.op().fullName().equals("graph.gemm") || p.op().fullName().equals("graph.matmul"));
  }
}
