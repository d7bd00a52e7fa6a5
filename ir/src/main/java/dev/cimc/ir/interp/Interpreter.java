package dev.cimc.ir.interp;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.Kernel;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * The reference interpreter: runs a graph on named input tensors with each op's kernel.
 *
 * <p>A value is dropped right after its last reader runs (unless intermediates are kept), so peak memory
 * follows the largest live set. Kernels may run parallel loops on the interpreter's own pool; close the
 * interpreter to release it.
 */
public final class Interpreter implements AutoCloseable {
  private final ForkJoinPool pool;
  private final Map<String, Kernel> overrides;

  private Interpreter(int threads, Map<String, Kernel> overrides) {
    this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    this.overrides = Map.copyOf(overrides);
  }

  /** An interpreter using every available processor. */
  public static Interpreter create() {
    return new Interpreter(Runtime.getRuntime().availableProcessors(), Map.of());
  }

  /** An interpreter with {@code threads} worker threads (1: run kernels on the calling thread). */
  public static Interpreter withThreads(int threads) {
    return new Interpreter(Math.max(1, threads), Map.of());
  }

  /** The same settings with a kernel replaced for one op (by full name). */
  public Interpreter withKernel(String opName, Kernel k) {
    var m = new java.util.HashMap<>(overrides);
    m.put(opName, k);
    return new Interpreter(pool == null ? 1 : pool.getParallelism(), m);
  }

  /** The result of a run: outputs by graph-output position and name, and intermediates if asked for. */
  public record Result(Map<String, Tensor> outputs, Map<String, Tensor> intermediates) {}

  /** Runs the graph; inputs are matched by graph-input name. Returns outputs by value name, in order. */
  public Map<String, Tensor> run(Graph g, Map<String, Tensor> inputs) {
    return run(g, inputs, false).outputs();
  }

  /**
   * Runs the graph. With {@code keepIntermediates}, every value computed (node results, in node order) is
   * returned as well; otherwise values are freed after their last use.
   */
  public Result run(Graph g, Map<String, Tensor> inputs, boolean keepIntermediates) {
    var env = new IdentityHashMap<Value, Tensor>();
    for (Value in : g.inputs()) {
      Tensor t = inputs.get(in.name());
      if (t == null) {
        throw new CimcException("missing input '" + in.name() + "' of type " + in.type(),
            "the graph @" + g.name() + " takes: " + describeInputs(g));
      }
      checkInput(in, t);
      env.put(in, t);
    }
    for (String name : inputs.keySet()) {
      Value v = g.value(name);
      if (v == null || !v.isGraphInput()) {
        throw new CimcException("'" + name + "' is not an input of @" + g.name(),
            "the graph takes: " + describeInputs(g));
      }
    }
    var lastUse = keepIntermediates ? null : lastUses(g);
    var intermediates = keepIntermediates ? new LinkedHashMap<String, Tensor>() : null;
    for (Node n = g.first(); n != null; n = n.next()) {
      Tensor[] args = new Tensor[n.numOperands()];
      for (int i = 0; i < args.length; i++) {
        args[i] = env.get(n.operand(i));
        if (args[i] == null) {
          throw new IllegalStateException(n.describe() + ": operand %" + n.operand(i).name()
              + " has no value (graph not in topological order; run the verifier)");
        }
      }
      Tensor[] res = execute(n, args);
      for (int i = 0; i < res.length; i++) {
        Value r = n.result(i);
        env.put(r, res[i]);
        if (intermediates != null) {
          intermediates.put(r.name(), res[i]);
        }
      }
      if (lastUse != null) {
        for (Value v : n.operands()) {
          if (lastUse.get(v) == n && !g.isOutput(v)) {
            env.remove(v);
          }
        }
      }
    }
    var outs = new LinkedHashMap<String, Tensor>();
    for (Value o : g.outputs()) {
      outs.put(o.name(), env.get(o));
    }
    return new Result(outs, intermediates);
  }

  /** Runs one node's kernel on concrete operands, checking what it returns. */
  public Tensor[] execute(Node n, Tensor[] args) {
    return execute(n, n.op(), args);
  }

  /**
   * Runs the kernel of {@code op} on {@code args} with {@code n}'s attributes, e.g. the convolution of a
   * fused convolution without its activation; the results must have {@code n}'s result types.
   */
  public Tensor[] execute(Node n, dev.cimc.ir.op.OpDef op, Tensor[] args) {
    Kernel k = overrides.getOrDefault(op.fullName(), op.kernel());
    if (k == null) {
      throw new CimcException(n.location(), n.describe() + ": op " + op.fullName()
          + " has no reference kernel", "this op cannot run in the interpreter");
    }
    Tensor[] res;
    try {
      res = k.run(new KernelContext(n, pool), args);
    } catch (InferenceException e) {
      throw new CimcException(n.location(), n.describe() + ": " + e.getMessage(), null);
    }
    if (res.length != n.numResults()) {
      throw new IllegalStateException("kernel of " + n.op().fullName() + " returned " + res.length
          + " tensors for " + n.numResults() + " results");
    }
    for (int i = 0; i < res.length; i++) {
      if (!res[i].type().equals(n.result(i).type())) {
        throw new IllegalStateException("kernel of " + n.describe() + " returned " + res[i].type()
            + " for result %" + n.result(i).name() + " of type " + n.result(i).type());
      }
    }
    return res;
  }

  private static void checkInput(Value in, Tensor t) {
    TensorType want = in.type();
    TensorType got = t.type();
    boolean ok = want.elementType() == got.elementType() && want.rank() == got.rank()
        && java.util.Objects.equals(want.quant(), got.quant());
    for (int i = 0; ok && i < want.rank(); i++) {
      ok = want.dim(i) == dev.cimc.ir.type.Shape.DYNAMIC || want.dim(i) == got.dim(i);
    }
    if (!ok) {
      throw new CimcException("input '" + in.name() + "' has type " + got + ", the graph expects " + want,
          "check the input file's shape and dtype");
    }
  }

  private static String describeInputs(Graph g) {
    var sb = new StringBuilder();
    for (Value in : g.inputs()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(in.name()).append(": ").append(in.type());
    }
    return sb.length() == 0 ? "(no inputs)" : sb.toString();
  }

  private static Map<Value, Node> lastUses(Graph g) {
    var m = new IdentityHashMap<Value, Node>();
    for (Node n = g.first(); n != null; n = n.next()) {
      for (Value v : n.operands()) {
        m.put(v, n);
      }
    }
    return m;
  }

  /** Convenience: runs a graph once on a fresh interpreter with default threads. */
  public static Map<String, Tensor> runOnce(Graph g, Map<String, Tensor> inputs) {
    try (var it = create()) {
      return it.run(g, inputs);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdown();
    }
  }
}
