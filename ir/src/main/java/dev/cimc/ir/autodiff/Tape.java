package dev.cimc.ir.autodiff;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One forward pass of a graph with every intermediate kept, ready for a backward pass.
 *
 * <p>Ops run on the interpreter's kernels, except the fake quantization pair: a {@code q.quantize} whose
 * readers are {@code q.dequantize} nodes computes {@code s·(clamp(rint(x/s)+z) − z)} in float with its
 * {@link FakeQuant} (from {@link Parameters#quantizers()} or its result type), and the dequantize passes
 * that on. The backward pass walks the nodes in reverse and applies the {@link GradRules} rule of each node
 * that lies between a requested value and the outputs.
 */
public final class Tape {
  private final Graph graph;
  private final Parameters params;
  private final GradRules rules;
  private final IdentityHashMap<Value, Tensor> env;
  private final IdentityHashMap<Value, Boolean> needs;
  private final IdentityHashMap<Node, FakeQuant> quantizers;

  private Tape(Graph graph, Parameters params, GradRules rules, IdentityHashMap<Value, Tensor> env,
      IdentityHashMap<Value, Boolean> needs, IdentityHashMap<Node, FakeQuant> quantizers) {
    this.graph = graph;
    this.params = params;
    this.rules = rules;
    this.env = env;
    this.needs = needs;
    this.quantizers = quantizers;
  }

  /** Runs {@code g} on {@code inputs} (by graph-input name) recording every value. */
  public static Tape forward(Graph g, Map<String, Tensor> inputs, Parameters params, GradRules rules,
      Interpreter interp) {
    return forward(g, inputs, new ConstantCache(params), rules, interp);
  }

  /**
   * Runs {@code g} on {@code inputs} with the cache's parameters; nodes that read only constants take their
   * results from {@code cache} (computing them once for all tapes sharing it).
   */
  public static Tape forward(Graph g, Map<String, Tensor> inputs, ConstantCache cache, GradRules rules,
      Interpreter interp) {
    Parameters params = cache.parameters();
    var env = new IdentityHashMap<Value, Tensor>();
    var needs = new IdentityHashMap<Value, Boolean>();
    var quantizers = new IdentityHashMap<Node, FakeQuant>();
    var constant = new IdentityHashMap<Value, Boolean>();
    for (Value in : g.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null) {
        throw new CimcException("missing input '" + in.name() + "' of type " + in.type(),
            "give every input of @" + g.name());
      }
      env.put(in, t);
      if (params.wrt().contains(in.name())) {
        needs.put(in, true);
      }
    }
    for (Node n = g.first(); n != null; n = n.next()) {
      Tensor[] args = new Tensor[n.numOperands()];
      boolean need = false;
      for (int i = 0; i < args.length; i++) {
        args[i] = env.get(n.operand(i));
        need |= needs.containsKey(n.operand(i));
      }
      String op = n.op().fullName();
      boolean constantOnly = n.numOperands() > 0;
      for (Value v : n.operands()) {
        constantOnly &= constant.containsKey(v);
      }
      Tensor res;
      if (constantOnly) {
        res = cache.get(n, k -> compute(k, args, params, quantizers, interp));
        if (n.op() == QDialect.QUANTIZE) {
          quantizers.put(n, quantizer(n, params));
          need |= params.quantizers().containsKey(n.result().name());
        }
      } else if (op.equals("const")) {
        Tensor own = params.constants().get(n.result().name());
        res = own != null ? own : ((Attribute.TensorAttr) n.attr("value")).value();
        need = params.wrt().contains(n.result().name());
      } else {
        if (n.op() == QDialect.QUANTIZE) {
          quantizers.put(n, quantizer(n, params));
          need |= params.quantizers().containsKey(n.result().name());
        }
        res = compute(n, args, params, quantizers, interp);
      }
      if (op.equals("const") || constantOnly) {
        constant.put(n.result(), Boolean.TRUE);
      }
      env.put(n.result(), res);
      if (need) {
        needs.put(n.result(), true);
      }
    }
    return new Tape(g, params, rules, env, needs, quantizers);
  }

  private static FakeQuant quantizer(Node q, Parameters params) {
    requireFakeQuant(q);
    FakeQuant fq = params.quantizers().get(q.result().name());
    return fq != null ? fq : FakeQuant.of(q.result().type());
  }

  /** The result of a node that is not a constant: fake quantization, its pass-through dequantize, or the kernel. */
  private static Tensor compute(Node n, Tensor[] args, Parameters params, IdentityHashMap<Node, FakeQuant> quantizers,
      Interpreter interp) {
    if (n.op() == QDialect.QUANTIZE) {
      FakeQuant fq = quantizer(n, params);
      return Tensor.wrap(new TensorType(ElementType.F32, n.result().type().shape(), null),
          fq.apply(floats(args[0]), args[0].shape().dims()));
    }
    if (n.op() == QDialect.DEQUANTIZE && quantizers.containsKey(n.operand(0).producer())) {
      return args[0];
    }
    if (n.numResults() != 1) {
      throw new CimcException(n.location(), n.describe() + ": ops with several results cannot be differentiated",
          null);
    }
    return interp.execute(n, args)[0];
  }

  private static void requireFakeQuant(Node q) {
    for (Node u : q.result().users()) {
      if (u.op() != QDialect.DEQUANTIZE) {
        throw new CimcException(q.location(), q.describe() + ": quantized value read by " + u.op().fullName(),
            "training differentiates float graphs with q.quantize → q.dequantize pairs (fake quantization) only");
      }
    }
  }

  /** The graph outputs by name. */
  public Map<String, Tensor> outputs() {
    var m = new LinkedHashMap<String, Tensor>();
    for (Value o : graph.outputs()) {
      m.put(o.name(), env.get(o));
    }
    return m;
  }

  /** The value named {@code name} as computed (fake-quantized values are float), or null. */
  public Tensor value(String name) {
    Value v = graph.value(name);
    return v == null ? null : env.get(v);
  }

  /** Back-propagates {@code seeds} (dLoss/dOutput by graph-output name; missing outputs count as zero). */
  public Gradients backward(Map<String, float[]> seeds) {
    var grads = new IdentityHashMap<Value, float[]>();
    for (var e : seeds.entrySet()) {
      Value v = graph.value(e.getKey());
      if (v == null || !graph.isOutput(v)) {
        throw new IllegalArgumentException("'" + e.getKey() + "' is not an output of @" + graph.name());
      }
      if (e.getValue().length != env.get(v).size()) {
        throw new IllegalArgumentException("gradient of '" + e.getKey() + "' needs " + env.get(v).size()
            + " elements, got " + e.getValue().length);
      }
      accumulate(grads, v, e.getValue());
    }
    var scaleGrads = new LinkedHashMap<String, double[]>();
    for (Node n = graph.last(); n != null; n = n.prev()) {
      if (n.numResults() != 1 || !needs.containsKey(n.result()) || n.op().fullName().equals("const")) {
        continue;
      }
      float[] gOut = grads.get(n.result());
      if (gOut == null) {
        continue;
      }
      GradRule rule = rules.rule(n.op().fullName());
      if (rule == null) {
        throw new CimcException(n.location(), n.describe() + ": no gradient rule for " + n.op().fullName(),
            "the ops with rules are: " + String.join(", ", rules.ops()));
      }
      Tensor[] args = new Tensor[n.numOperands()];
      float[][] gIn = new float[n.numOperands()][];
      for (int i = 0; i < args.length; i++) {
        Value v = n.operand(i);
        args[i] = env.get(v);
        if (needs.containsKey(v) && (v.type().elementType().isFloat() || quantizers.containsKey(v.producer()))) {
          gIn[i] = grads.computeIfAbsent(v, k -> new float[env.get(k).size()]);
        }
      }
      FakeQuant fq = quantizers.get(n);
      double[] sg = null;
      if (fq != null && params.quantizers().containsKey(n.result().name())) {
        sg = scaleGrads.computeIfAbsent(n.result().name(), k -> new double[fq.channels()]);
      }
      rule.backward(new Step(n, args, env.get(n.result()), gOut, gIn, fq, sg));
    }
    var values = new LinkedHashMap<String, float[]>();
    for (String name : params.wrt()) {
      Value v = graph.value(name);
      if (v == null) {
        throw new IllegalArgumentException("no value named '" + name + "' in @" + graph.name());
      }
      float[] g = grads.get(v);
      values.put(name, g != null ? g : new float[env.get(v).size()]);
    }
    for (String q : params.quantizers().keySet()) {
      Value v = graph.value(q);
      if (v != null && !scaleGrads.containsKey(q)) {
        scaleGrads.put(q, new double[params.quantizers().get(q).channels()]);
      }
    }
    return new Gradients(values, scaleGrads);
  }

  private static void accumulate(IdentityHashMap<Value, float[]> grads, Value v, float[] g) {
    float[] acc = grads.get(v);
    if (acc == null) {
      grads.put(v, g.clone());
      return;
    }
    for (int i = 0; i < g.length; i++) {
      acc[i] += g[i];
    }
  }

  /** The values of a float tensor (without a copy for f32). */
  static float[] floats(Tensor t) {
    return t.elementType() == ElementType.F32 ? t.floats() : t.toFloatArray();
  }
}
