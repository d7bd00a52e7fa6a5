package dev.cimc.ir.transform;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Folder;
import dev.cimc.ir.op.RewritePattern;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOption;
import dev.cimc.ir.pass.PassOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The greedy rewrite driver (as MLIR's canonicalizer): applies each op's {@code folders()} and
 * {@code canonicalizations()} and erases dead pure nodes, from a worklist, until a sweep over the whole
 * graph changes nothing or {@code max-iterations} sweeps have run. The identities live with the ops; the
 * driver knows none of them. A sweep that follows one that changed nothing starts from the nodes the merges
 * in between touched, not from every node.
 *
 * <p>Two graph-wide rules join the op-local ones: a pure node whose operands are all constants and whose
 * results are integer or bool tensors of at most {@code fold-shape-limit} elements is evaluated and
 * replaced by constants (shape arithmetic: shape → gather → concat → reshape chains collapse without
 * touching float weights, which fold-constants handles), and after each sweep common subexpressions are
 * merged ({@link CommonSubexpressionElimination}) unless {@code cse=false}.
 */
public final class Canonicalize extends Pass {
  public static final PassDef DEF = PassDef.builder("canonicalize", "Canonicalize")
      .summary("apply op folders and canonicalization patterns and erase dead pure nodes, to a fixpoint")
      .option(PassOption.intOption("max-iterations", 10, 1, Long.MAX_VALUE,
          "sweeps over the graph before giving up on reaching a fixpoint"))
      .option(PassOption.intOption("fold-shape-limit", 4096, 0, Long.MAX_VALUE,
          "evaluate constant-operand nodes with integer or bool results of at most this many elements"))
      .option(PassOption.boolOption("cse", true, "merge common subexpressions after each sweep"))
      .statistic("folds-applied", "nodes replaced by the value an op folder returned")
      .statistic("patterns-applied", "canonicalization patterns applied")
      .statistic("nodes-erased", "dead pure nodes erased")
      .statistic("shape-nodes-folded", "integer (shape) nodes evaluated into constants")
      .statistic("nodes-merged", "common subexpressions merged")
      .factory(Canonicalize::new)
      .build();

  /** Pattern applications allowed per node of the graph in one sweep, against patterns that never settle. */
  private static final int REWRITES_PER_NODE = 64;

  private Canonicalize(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    long maxIterations = options().getLong("max-iterations");
    long foldLimit = options().getLong("fold-shape-limit");
    boolean cse = options().getBool("cse");
    boolean changed = false;
    List<Node> seed = null;
    for (long i = 0; i < maxIterations; i++) {
      boolean swept = new Sweep(graph, context, foldLimit).run(seed);
      if (seed != null && !swept) {
        // the sweep before found nothing and the last CSE ran to its fixpoint: a fixpoint
        break;
      }
      var affected = new ArrayList<Node>();
      long merged = cse ? CommonSubexpressionElimination.eliminate(graph, affected) : 0;
      context.add("nodes-merged", merged);
      if (!swept && merged == 0) {
        break;
      }
      changed = true;
      // After a sweep that changed something, sweep everything again. After one that found nothing, only
      // nodes whose operands, readers or operands' use counts the merges changed can rewrite now.
      seed = swept ? null : affected;
    }
    return changed;
  }

  /** One pass of the worklist, seeded with every node in order or with given nodes. */
  private static final class Sweep {
    private final Graph graph;
    private final PassContext context;
    private final ArrayDeque<Node> worklist = new ArrayDeque<>();
    private final Set<Node> queued;
    private final long foldLimit;
    private long rewriteBudget;

    Sweep(Graph graph, PassContext context, long foldLimit) {
      this.graph = graph;
      this.context = context;
      this.foldLimit = foldLimit;
      this.queued = Collections.newSetFromMap(new IdentityHashMap<>(2 * graph.size() + 16));
      this.rewriteBudget = (long) REWRITES_PER_NODE * (graph.size() + 16);
    }

    boolean run(List<Node> seed) {
      if (seed == null) {
        for (Node n = graph.first(); n != null; n = n.next()) {
          push(n);
        }
      } else {
        for (Node n : seed) {
          push(n);
        }
      }
      boolean changed = false;
      while (!worklist.isEmpty()) {
        Node n = worklist.poll();
        queued.remove(n);
        if (!n.isErased()) {
          changed |= visit(n);
        }
      }
      return changed;
    }

    private boolean visit(Node n) {
      if (n.op().has(Trait.PURE) && n.isDead()) {
        pushProducers(n.operands());
        graph.erase(n);
        context.increment("nodes-erased");
        return true;
      }
      if (foldLimit > 0 && n.numOperands() > 0 && integerResults(n) && FoldConstants.foldable(n, foldLimit)) {
        List<Value> operands = new ArrayList<>(n.operands());
        for (Value c : FoldConstants.fold(n, context.registry())) {
          pushUsers(c);
        }
        pushProducers(operands);
        context.increment("shape-nodes-folded");
        return true;
      }
      if (n.numResults() == 1) {
        for (Folder f : n.op().folders()) {
          Value v = f.fold(n);
          if (v != null && v != n.result() && v.graph() == graph) {
            pushUsers(n.result());
            graph.replaceAllUsesWith(n.result(), v);
            pushProducers(n.operands());
            graph.erase(n);
            context.increment("folds-applied");
            return true;
          }
        }
      }
      if (rewriteBudget <= 0 || n.op().canonicalizations().isEmpty()) {
        return false;
      }
      List<Value> operandsBefore = new ArrayList<>(n.operands());
      for (RewritePattern p : n.op().canonicalizations()) {
        if (p.apply(n)) {
          rewriteBudget--;
          context.increment("patterns-applied");
          pushProducers(operandsBefore);
          if (!n.isErased()) {
            push(n);
            for (Value r : n.results()) {
              pushUsers(r);
            }
          }
          return true;
        }
      }
      return false;
    }

    private static boolean integerResults(Node n) {
      for (int i = 0; i < n.numResults(); i++) {
        if (n.result(i).type().elementType().isFloat()) {
          return false;
        }
      }
      return n.numResults() > 0;
    }

    private void push(Node n) {
      if (n != null && !n.isErased() && queued.add(n)) {
        worklist.add(n);
      }
    }

    private void pushProducers(List<Value> values) {
      for (Value v : values) {
        push(v.producer());
      }
    }

    private void pushUsers(Value v) {
      for (Node u : v.users()) {
        push(u);
      }
    }
  }
}
