package dev.cimc.ir.transform;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.Kernel;
import dev.cimc.ir.op.KernelContext;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassFailure;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates, with its reference kernel, every pure node whose operands all come from constant-like nodes,
 * and replaces it by constants that keep its result names. One forward sweep folds whole chains, since a
 * folded node's users then read constants. The operands left unused are for {@code dce}.
 */
public final class FoldConstants extends Pass {
  public static final PassDef DEF = PassDef.builder("fold-constants", "FoldConstants")
      .summary("evaluate pure nodes whose operands are all constants, replacing them by constants")
      .option(PassOption.intOption("max-elements", 1L << 24, 0, Long.MAX_VALUE,
          "leave nodes unfolded if a result has more elements than this"))
      .statistic("nodes-folded", "nodes replaced by constants")
      .factory(FoldConstants::new)
      .build();

  private FoldConstants(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    long maxElements = options().getLong("max-elements");
    var known = new IdentityHashMap<Value, Tensor>();
    boolean changed = false;
    for (Node n : graph.nodes()) {
      if (n.isErased() || !foldable(n, maxElements)) {
        continue;
      }
      fold(n, context.registry(), known);
      context.increment("nodes-folded");
      changed = true;
    }
    return changed;
  }

  /**
   * Replaces {@code n}, whose operands are all constants, by constants holding its results (named as its
   * results); returns them.
   */
  static List<Value> fold(Node n, OpRegistry registry) {
    return fold(n, registry, new IdentityHashMap<>());
  }

  private static List<Value> fold(Node n, OpRegistry registry, Map<Value, Tensor> known) {
    Graph graph = n.graph();
    Tensor[] args = new Tensor[n.numOperands()];
    for (int i = 0; i < args.length; i++) {
      args[i] = constantValue(n.operand(i), known);
    }
    Tensor[] results = evaluate(n, args);
    var builder = GraphBuilder.before(n, registry);
    var names = new ArrayList<String>(n.numResults());
    var constants = new ArrayList<Value>(n.numResults());
    for (int i = 0; i < results.length; i++) {
      names.add(n.result(i).name());
      Value c = builder.constant(n.result(i).name(), results[i]);
      known.put(c, results[i]);
      constants.add(c);
    }
    graph.replaceNode(n, constants);
    for (int i = 0; i < constants.size(); i++) {
      constants.get(i).rename(names.get(i));
    }
    return constants;
  }

  /** Pure, kernel-backed, live, all operands constant, static results of at most {@code maxElements}. */
  static boolean foldable(Node n, long maxElements) {
    if (!n.op().has(Trait.PURE) || n.op().has(Trait.CONSTANT_LIKE) || n.op().kernel() == null
        || n.numResults() == 0 || n.isDead()) {
      return false;
    }
    for (Value v : n.operands()) {
      Node p = v.producer();
      if (p == null || !p.op().has(Trait.CONSTANT_LIKE) || p.op().kernel() == null) {
        return false;
      }
    }
    for (Value r : n.results()) {
      TensorType t = r.type();
      if (!t.shape().isStatic() || t.numel() > maxElements) {
        return false;
      }
    }
    return true;
  }

  /** The tensor of a constant-like node's result, from its kernel (it reads nothing). */
  private static Tensor constantValue(Value v, Map<Value, Tensor> known) {
    Tensor t = known.get(v);
    if (t == null) {
      Node p = v.producer();
      Tensor[] res = evaluate(p, new Tensor[0]);
      for (int i = 0; i < res.length; i++) {
        known.put(p.result(i), res[i]);
      }
      t = res[v.resultIndex()];
    }
    return t;
  }

  private static Tensor[] evaluate(Node n, Tensor[] args) {
    Kernel k = n.op().kernel();
    Tensor[] res;
    try {
      res = k.run(new KernelContext(n, null), args);
    } catch (InferenceException e) {
      throw new PassFailure(n, e.getMessage());
    } catch (PassFailure e) {
      throw e;
    } catch (CimcException e) {
      throw new PassFailure(n, e.getMessage(), e.hint());
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
}
