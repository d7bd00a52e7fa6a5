package dev.cimc.ir.autodiff;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The table of gradient rules, keyed by full op name: data, like the op definitions, so the tape never
 * switches over op names. {@link #standard()} lists every rule cimc has; {@link #with} adds or replaces one.
 */
public final class GradRules {
  private final Map<String, GradRule> rules;

  private GradRules(Map<String, GradRule> rules) {
    this.rules = Collections.unmodifiableMap(new TreeMap<>(rules));
  }

  /** The rules of the graph ops training needs and of the fake quantization pair. */
  public static GradRules standard() {
    var m = new TreeMap<String, GradRule>();
    m.put("graph.conv2d", ConvGrad::conv2d);
    m.put("graph.gemm", LinalgGrad::gemm);
    m.put("graph.matmul", LinalgGrad::matmul);
    m.put("graph.add", ElementwiseGrad::add);
    m.put("graph.sub", ElementwiseGrad::sub);
    m.put("graph.mul", ElementwiseGrad::mul);
    m.put("graph.relu", ElementwiseGrad::relu);
    m.put("graph.clip", ElementwiseGrad::clip);
    m.put("graph.identity", ElementwiseGrad::passThrough);
    m.put("graph.flatten", ElementwiseGrad::passThrough);
    m.put("graph.reshape", ElementwiseGrad::passThrough);
    m.put("graph.squeeze", ElementwiseGrad::passThrough);
    m.put("graph.unsqueeze", ElementwiseGrad::passThrough);
    m.put("graph.transpose", ElementwiseGrad::transpose);
    m.put("graph.max_pool", PoolGrad::maxPool);
    m.put("graph.average_pool", PoolGrad::averagePool);
    m.put("graph.global_average_pool", PoolGrad::globalAveragePool);
    m.put("graph.batch_norm", NormGrad::batchNorm);
    m.put("graph.softmax", NormGrad::softmax);
    m.put("q.quantize", QuantGrad::quantize);
    m.put("q.dequantize", ElementwiseGrad::passThrough);
    return new GradRules(m);
  }

  /** This table with {@code rule} for {@code op} (full name, e.g. {@code graph.tanh}). */
  public GradRules with(String op, GradRule rule) {
    var m = new TreeMap<>(rules);
    m.put(op, rule);
    return new GradRules(m);
  }

  /** The rule of {@code op}, or null. */
  public GradRule rule(String op) {
    return rules.get(op);
  }

  /** The ops with rules, sorted. */
  public List<String> ops() {
    return List.copyOf(rules.keySet());
  }
}
