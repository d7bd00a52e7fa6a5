package dev.cimc.ir.quant.qat;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.autodiff.ConstantCache;
import dev.cimc.ir.autodiff.FakeQuant;
import dev.cimc.ir.autodiff.GradRules;
import dev.cimc.ir.autodiff.Gradients;
import dev.cimc.ir.autodiff.Parameters;
import dev.cimc.ir.autodiff.SoftmaxCrossEntropy;
import dev.cimc.ir.autodiff.Tape;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.ValueRange;
import dev.cimc.ir.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Quantization-aware training (Esser et al. 2020, LSQ; Nagel et al. 2021, "A White Paper on Neural Network
 * Quantization", section 4): starting from a float graph whose batch norms are folded (or frozen) and a plan
 * from PTQ calibration, trains the weights and the quantizer scales (weights per channel, activations per
 * tensor; zero points stay) of the fake-quantized graph on labelled data with softmax cross-entropy,
 * mini-batch SGD with momentum or Adam, and a cosine learning-rate decay. Scales train in the log domain
 * (they stay positive and move by relative steps); with power-of-two schemes in the plan the forward rounds
 * them to powers of two.
 *
 * <p>Deterministic: the shuffles come from the seed, samples of a batch run in parallel but their
 * gradients are summed in sample order, so the result does not depend on the thread count.
 */
public final class QatTrainer {
  private QatTrainer() {}

  /** The optimizer. */
  public enum Optimizer {
    /** SGD with momentum. */
    SGD,
    /** Adam (β1 = 0.9, β2 = 0.999). */
    ADAM
  }

  /**
   * Training settings.
   *
   * @param epochs passes over the training data (≥ 1)
   * @param batch samples per step (≥ 1)
   * @param learningRate peak learning rate of the weights
   * @param scaleLearningRate peak learning rate of the log-scales
   * @param optimizer SGD with momentum or Adam
   * @param momentum SGD momentum
   * @param seed shuffling seed
   * @param threads worker threads (the result does not depend on it)
   * @param lsqInit start weight scales at LSQ's {@code 2·mean|w|/√qmax} per channel instead of the plan's
   */
  public record Settings(int epochs, int batch, double learningRate, double scaleLearningRate, Optimizer optimizer,
      double momentum, long seed, int threads, boolean lsqInit) {
    public Settings {
      if (epochs < 1 || batch < 1 || threads < 1) {
        throw new IllegalArgumentException("epochs, batch and threads must be ≥ 1");
      }
      if (!(learningRate > 0) || !(scaleLearningRate >= 0)) {
        throw new IllegalArgumentException("learning rates must be positive");
      }
    }

    /** Adam, 5 epochs of batches of 32, learning rates 1e-3 (weights) and 3e-3 (log-scales), seed 1, two threads. */
    public static Settings defaults() {
      return new Settings(5, 32, 1e-3, 3e-3, Optimizer.ADAM, 0.9, 1, 2, true);
    }

    public Settings withEpochs(int n) {
      return new Settings(n, batch, learningRate, scaleLearningRate, optimizer, momentum, seed, threads, lsqInit);
    }

    public Settings withBatch(int n) {
      return new Settings(epochs, n, learningRate, scaleLearningRate, optimizer, momentum, seed, threads, lsqInit);
    }

    public Settings withLearningRate(double lr) {
      return new Settings(epochs, batch, lr, scaleLearningRate, optimizer, momentum, seed, threads, lsqInit);
    }

    public Settings withScaleLearningRate(double lr) {
      return new Settings(epochs, batch, learningRate, lr, optimizer, momentum, seed, threads, lsqInit);
    }

    public Settings withOptimizer(Optimizer o) {
      return new Settings(epochs, batch, learningRate, scaleLearningRate, o, momentum, seed, threads, lsqInit);
    }

    public Settings withSeed(long s) {
      return new Settings(epochs, batch, learningRate, scaleLearningRate, optimizer, momentum, s, threads, lsqInit);
    }

    public Settings withThreads(int n) {
      return new Settings(epochs, batch, learningRate, scaleLearningRate, optimizer, momentum, seed, n, lsqInit);
    }

    public Settings withLsqInit(boolean b) {
      return new Settings(epochs, batch, learningRate, scaleLearningRate, optimizer, momentum, seed, threads, b);
    }
  }

  /** Told after each epoch. */
  @FunctionalInterface
  public interface Progress {
    void epoch(QatResult.Epoch e);

    Progress NONE = e -> {};
  }

  /**
   * Trains {@code floatGraph} (not changed) quantized by {@code plan} on {@code train}; with {@code eval}
   * (may be null) the fake-quantized accuracy is measured after each epoch.
   */
  public static QatResult train(Graph floatGraph, QuantPlan plan, LabelledData train, LabelledData eval,
      Settings s, OpRegistry registry, Progress progress) {
    var tg = new TrainingGraph(floatGraph, plan, registry);
    var run = new Run(tg, s);
    var rnd = new Random(s.seed());
    int n = train.size();
    int stepsPerEpoch = (n + s.batch() - 1) / s.batch();
    int totalSteps = stepsPerEpoch * s.epochs();
    var epochs = new ArrayList<QatResult.Epoch>();
    ExecutorService pool = s.threads() > 1 ? Executors.newFixedThreadPool(s.threads(), r -> {
      Thread t = new Thread(r, "cimc-qat");
      t.setDaemon(true);
      return t;
    }) : null;
    try (var interp = Interpreter.withThreads(1)) {
      int step = 0;
      for (int e = 1; e <= s.epochs(); e++) {
        int[] order = permutation(n, rnd);
        double lossSum = 0;
        for (int b = 0; b < n; b += s.batch()) {
          int[] idx = java.util.Arrays.copyOfRange(order, b, Math.min(n, b + s.batch()));
          double factor = 0.5 * (1 + Math.cos(Math.PI * step / totalSteps));
          lossSum += run.step(train, idx, factor, pool, interp);
          step++;
        }
        double acc = eval == null ? Double.NaN : run.accuracy(eval, pool, interp);
        var epoch = new QatResult.Epoch(e, lossSum / stepsPerEpoch, acc);
        epochs.add(epoch);
        progress.epoch(epoch);
      }
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
    return new QatResult(run.exportGraph(floatGraph), run.exportPlan(plan), run.learnedScales(), epochs);
  }

  /** Accuracy of {@code g} (any graph the interpreter runs, e.g. the integer graph) on {@code data}. */
  public static double accuracy(Graph g, LabelledData data, int threads) {
    int correct = 0;
    try (var it = Interpreter.withThreads(threads)) {
      for (int i = 0; i < data.size(); i++) {
        Tensor y = it.run(g, Map.of(data.input(), data.sample(i))).values().iterator().next();
        correct += argmax(y) == data.label(i) ? 1 : 0;
      }
    }
    return (double) correct / data.size();
  }

  static int argmax(Tensor y) {
    int best = 0;
    for (int j = 1; j < y.size(); j++) {
      if (y.getDouble(j) > y.getDouble(best)) {
        best = j;
      }
    }
    return best;
  }

  private static int[] permutation(int n, Random rnd) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The state of one training run: parameters and optimizer moments. */
  private static final class Run {
    final TrainingGraph tg;
    final Settings s;
    final GradRules rules = GradRules.standard();
    final String output;
    /** Trainable constants (weights and biases) by name. */
    final Map<String, float[]> weights = new LinkedHashMap<>();
    final Map<String, int[]> dims = new LinkedHashMap<>();
    /** Learnable quantizers (roots) by name: their current scales. */
    final Map<String, double[]> logScales = new LinkedHashMap<>();
    final Map<String, double[]> m1 = new LinkedHashMap<>();
    final Map<String, double[]> m2 = new LinkedHashMap<>();
    int t;

    Run(TrainingGraph tg, Settings s) {
      this.tg = tg;
      this.s = s;
      this.output = tg.graph.output(0).name();
      var names = new ArrayList<String>();
      for (var w : tg.weights) {
        names.add(w.constant());
      }
      names.addAll(tg.biases);
      for (String name : names) {
        Tensor v = constant(tg.graph.value(name));
        weights.put(name, v.toFloatArray());
        dims.put(name, v.shape().dims());
      }
      for (var e : tg.initial.entrySet()) {
        double[] sc = e.getValue().scales();
        for (int c = 0; c < sc.length; c++) {
          sc[c] = Math.log(sc[c]);
        }
        logScales.put(e.getKey(), sc);
      }
      if (s.lsqInit()) {
        for (var w : tg.weights) {
          FakeQuant fq = tg.initial.get(w.quantizer());
          float[] v = weights.get(w.constant());
          int ch = fq.channels();
          int inner = fq.inner(dims.get(w.constant()));
          double[] sum = new double[ch];
          for (int i = 0; i < v.length; i++) {
            sum[(i / inner) % ch] += Math.abs(v[i]);
          }
          double[] ls = logScales.get(w.quantizer());
          for (int c = 0; c < ch; c++) {
            double init = 2 * (sum[c] / (v.length / ch)) / Math.sqrt(w.qmax());
            if (init > 0) {
              ls[c] = Math.log(init);
            }
          }
        }
      }
    }

    Parameters parameters(boolean withGradients) {
      var consts = new LinkedHashMap<String, Tensor>();
      for (var e : weights.entrySet()) {
        consts.put(e.getKey(), Tensor.ofFloats(dims.get(e.getKey()), e.getValue()));
      }
      var quantizers = new LinkedHashMap<String, FakeQuant>();
      for (var e : tg.shares.entrySet()) {
        quantizers.put(e.getKey(), quantizer(e.getValue()));
      }
      return new Parameters(consts, quantizers, withGradients ? weights.keySet() : java.util.Set.of());
    }

    FakeQuant quantizer(String root) {
      double[] ls = logScales.get(root);
      double[] sc = new double[ls.length];
      for (int c = 0; c < sc.length; c++) {
        sc[c] = Math.exp(ls[c]);
      }
      return tg.initial.get(root).withScales(sc);
    }

    /** One optimizer step on the samples {@code idx}; returns their mean loss. */
    double step(LabelledData data, int[] idx, double lrFactor, ExecutorService pool, Interpreter interp) {
      var cache = new ConstantCache(parameters(true));
      var tasks = new ArrayList<Callable<Object[]>>();
      for (int i : idx) {
        tasks.add(() -> {
          Tape tape = Tape.forward(tg.graph, Map.of(data.input(), data.sample(i)), cache, rules, interp);
          float[] logits = tape.outputs().get(output).floats();
          var loss = SoftmaxCrossEntropy.evaluate(logits, 1, logits.length, new int[] {data.label(i)});
          return new Object[] {loss.value(), tape.backward(Map.of(output, loss.gradient()))};
        });
      }
      List<Object[]> results = runAll(pool, tasks);
      // Sum in sample order: the same sums for any thread count.
      var gw = new LinkedHashMap<String, double[]>();
      for (var e : weights.entrySet()) {
        gw.put(e.getKey(), new double[e.getValue().length]);
      }
      var gs = new LinkedHashMap<String, double[]>();
      for (var e : logScales.entrySet()) {
        gs.put(e.getKey(), new double[e.getValue().length]);
      }
      double loss = 0;
      for (Object[] r : results) {
        loss += (double) r[0];
        Gradients g = (Gradients) r[1];
        for (var e : gw.entrySet()) {
          float[] v = g.value(e.getKey());
          double[] acc = e.getValue();
          for (int k = 0; k < acc.length; k++) {
            acc[k] += v[k];
          }
        }
        for (var e : g.scales().entrySet()) {
          double[] acc = gs.get(tg.shares.get(e.getKey()));
          for (int c = 0; c < acc.length; c++) {
            acc[c] += e.getValue()[c];
          }
        }
      }
      int b = idx.length;
      t++;
      for (var e : weights.entrySet()) {
        double[] g = gw.get(e.getKey());
        float[] w = e.getValue();
        double[] upd = update("w:" + e.getKey(), g, b, s.learningRate() * lrFactor);
        for (int k = 0; k < w.length; k++) {
          w[k] -= (float) upd[k];
        }
      }
      for (var e : logScales.entrySet()) {
        double[] g = gs.get(e.getKey());
        double[] ls = e.getValue();
        for (int c = 0; c < g.length; c++) {
          g[c] *= Math.exp(ls[c]); // d/d log s = s · d/ds
        }
        double[] upd = update("s:" + e.getKey(), g, b, s.scaleLearningRate() * lrFactor);
        for (int c = 0; c < ls.length; c++) {
          ls[c] -= upd[c];
        }
      }
      return loss / b;
    }

    /** The step of one parameter for the gradient sum {@code g} over {@code b} samples. */
    double[] update(String key, double[] g, int b, double lr) {
      double[] m = m1.computeIfAbsent(key, k -> new double[g.length]);
      double[] out = new double[g.length];
      if (s.optimizer() == Optimizer.SGD) {
        for (int k = 0; k < g.length; k++) {
          m[k] = s.momentum() * m[k] + g[k] / b;
          out[k] = lr * m[k];
        }
        return out;
      }
      double[] v = m2.computeIfAbsent(key, k -> new double[g.length]);
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      for (int k = 0; k < g.length; k++) {
        double gk = g[k] / b;
        m[k] = 0.9 * m[k] + 0.1 * gk;
        v[k] = 0.999 * v[k] + 0.001 * gk * gk;
        out[k] = lr * (m[k] / c1) / (Math.sqrt(v[k] / c2) + 1e-8);
      }
      return out;
    }

    double accuracy(LabelledData data, ExecutorService pool, Interpreter interp) {
      var cache = new ConstantCache(parameters(false));
      var tasks = new ArrayList<Callable<Object[]>>();
      for (int i = 0; i < data.size(); i++) {
        int k = i;
        tasks.add(() -> {
          Tape tape = Tape.forward(tg.graph, Map.of(data.input(), data.sample(k)), cache, rules, interp);
          return new Object[] {argmax(tape.outputs().get(output)) == data.label(k)};
        });
      }
      int correct = 0;
      for (Object[] r : runAll(pool, tasks)) {
        correct += (boolean) r[0] ? 1 : 0;
      }
      return (double) correct / data.size();
    }

    /** The float graph with the trained weights, each clamped to its learned range. */
    Graph exportGraph(Graph floatGraph) {
      Graph g = floatGraph.copy();
      var clampTo = new LinkedHashMap<String, TrainingGraph.Weight>();
      for (var w : tg.weights) {
        clampTo.put(w.constant(), w);
      }
      for (var e : weights.entrySet()) {
        String name = e.getKey().substring(0, e.getKey().length() - ".train".length());
        Value v = g.value(name);
        float[] w = e.getValue().clone();
        TrainingGraph.Weight wq = clampTo.get(e.getKey());
        if (wq != null) {
          double[] hi = weightLimits(wq);
          int inner = quantizer(wq.quantizer()).inner(dims.get(e.getKey()));
          for (int k = 0; k < w.length; k++) {
            float lim = (float) hi[(k / inner) % hi.length];
            w[k] = Math.max(-lim, Math.min(lim, w[k]));
          }
        }
        v.producer().setAttribute("value", new Attribute.TensorAttr(Tensor.wrap(v.type(), w)));
      }
      return g;
    }

    /** Per channel: qmax · s of a weight, with s as the f32 scale the quantize pass will store. */
    double[] weightLimits(TrainingGraph.Weight w) {
      FakeQuant fq = quantizer(w.quantizer());
      double[] hi = new double[fq.channels()];
      for (int c = 0; c < hi.length; c++) {
        hi[c] = w.qmax() * (double) (float) fq.effectiveScale(c);
      }
      return hi;
    }

    /** The effective scales by float value name: weights per channel, activations one. */
    Map<String, double[]> learnedScales() {
      var out = new LinkedHashMap<String, double[]>();
      for (var w : tg.weights) {
        FakeQuant fq = quantizer(w.quantizer());
        double[] sc = new double[fq.channels()];
        for (int c = 0; c < sc.length; c++) {
          sc[c] = fq.effectiveScale(c);
        }
        out.put(w.constant().substring(0, w.constant().length() - ".train".length()), sc);
      }
      for (var a : tg.activations) {
        out.put(a.value(), new double[] {quantizer(a.quantizer()).effectiveScale(0)});
      }
      return out;
    }

    QuantPlan exportPlan(QuantPlan base) {
      QuantPlan plan = base;
      for (var a : tg.activations) {
        FakeQuant fq = quantizer(a.quantizer());
        double sc = (float) fq.effectiveScale(0);
        long z = fq.zeroPoints()[0];
        // Just under the power of two, so the pass's rounding up lands on it again.
        double shrink = fq.powerOfTwo() ? 1 - 1e-9 : 1;
        plan = plan.withRange(a.value(), new QuantPlan.Range((a.qmin() - z) * sc * shrink, (a.qmax() - z) * sc * shrink,
            base.range(a.value()) == null ? null : base.range(a.value()).scheme()));
      }
      for (var w : tg.weights) {
        String name = w.constant().substring(0, w.constant().length() - ".train".length());
        double[] hi = weightLimits(w);
        double shrink = quantizer(w.quantizer()).powerOfTwo() ? 1 - 1e-9 : 1;
        double[] lo = new double[hi.length];
        for (int c = 0; c < hi.length; c++) {
          hi[c] *= shrink;
          lo[c] = -hi[c];
        }
        plan = plan.withWeightRange(name, ValueRange.perChannel(lo, hi));
      }
      return plan;
    }
  }

  static Tensor constant(Value v) {
    return ((Attribute.TensorAttr) v.producer().attr("value")).value();
  }

  private static <T> List<T> runAll(ExecutorService pool, List<Callable<T>> tasks) {
    var out = new ArrayList<T>(tasks.size());
    try {
      if (pool == null) {
        for (Callable<T> c : tasks) {
          out.add(c.call());
        }
        return out;
      }
      for (Future<T> f : pool.invokeAll(tasks)) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
