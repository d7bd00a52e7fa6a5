package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOptions;
import dev.cimc.ir.tensor.Tensor;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;

/**
 * Merges pure nodes that compute the same thing: same op, same operands (in any order for commutative
 * ops), equal attributes (constants compare by content) and equal result types. The later node's readers
 * move to the earlier one, which dominates it in the topological node order. A node whose result the graph
 * returns is kept, so output names survive. Canonicalize runs this after each sweep.
 */
public final class CommonSubexpressionElimination extends Pass {
  public static final PassDef DEF = PassDef.builder("cse", "CommonSubexpressionElimination")
      .summary("merge pure nodes with the same op, operands, attributes and result types")
      .statistic("nodes-merged", "nodes replaced by an earlier equal node")
      .factory(CommonSubexpressionElimination::new)
      .build();

  private CommonSubexpressionElimination(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    long merged = eliminate(graph);
    context.add("nodes-merged", merged);
    return merged > 0;
  }

  /**
   * What makes two nodes interchangeable: op, operands, result types and effective attribute values (schema
   * defaults filled in, so {@code group = 1} equals no group). The hash covers op, operands and types, and
   * for operand-less nodes samples of their attributes; attributes are compared (tensors by content) only
   * between nodes that agree on the rest.
   */
  private static final class Key {
    private final Node node;
    private final Value[] operands;
    private final int hash;

    Key(Node n) {
      this.node = n;
      OpDef op = n.op();
      Value[] ops = new Value[n.numOperands()];
      for (int i = 0; i < ops.length; i++) {
        ops[i] = n.operand(i);
      }
      if (op.has(Trait.COMMUTATIVE) && ops.length > 1) {
        // names are unique, so this order is canonical and deterministic
        java.util.Arrays.sort(ops, BY_NAME);
      }
      this.operands = ops;
      int h = op.hashCode();
      for (Value v : operands) {
        h = 31 * h + System.identityHashCode(v);
      }
      for (int i = 0; i < n.numResults(); i++) {
        h = 31 * h + n.result(i).type().hashCode();
      }
      if (ops.length == 0) {
        // constants: only attributes tell them apart, so they join the hash (by samples)
        for (String name : op.attributeSchema().keySet()) {
          Attribute a = n.attr(name);
          h = 31 * h + (a == null ? 0 : a instanceof Attribute.TensorAttr ta ? sampledHash(ta.value()) : a.hashCode());
        }
      }
      this.hash = h;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k) || k.hash != hash || k.node.op() != node.op() || k.operands.length != operands.length
          || k.node.numResults() != node.numResults()) {
        return false;
      }
      for (int i = 0; i < operands.length; i++) {
        if (k.operands[i] != operands[i]) {
          return false;
        }
      }
      for (int i = 0; i < node.numResults(); i++) {
        if (!k.node.result(i).type().equals(node.result(i).type())) {
          return false;
        }
      }
      for (String name : node.op().attributeSchema().keySet()) {
        if (!java.util.Objects.equals(k.node.attr(name), node.attr(name))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static final Comparator<Value> BY_NAME = Comparator.comparing(Value::name);

  /** Elements of a tensor attribute read by the CSE hash. */
  private static final int SAMPLES = 64;

  /** A hash of the type and at most {@link #SAMPLES} evenly spaced elements: O(1) for large weights. */
  private static int sampledHash(Tensor t) {
    int v = t.type().hashCode();
    int n = t.size();
    int step = Math.max(1, n / SAMPLES);
    for (int i = 0; i < n; i += step) {
      v = 31 * v + Double.hashCode(t.getDouble(i));
    }
    return v;
  }

  /** One forward sweep; returns the number of nodes merged away. */
  static long eliminate(Graph graph) {
    return eliminate(graph, null);
  }

  /**
   * One forward sweep (it reaches its own fixpoint: readers of a merged node are visited after it, with
   * their new operands); returns the number of nodes merged away. If {@code affected} is not null, it
   * receives the nodes a rewrite driver should look at again: readers of the merged nodes (their operands
   * changed), the producers and readers of the merged nodes' operands (their use counts dropped), and the
   * surviving nodes with their readers (their use counts grew).
   */
  static long eliminate(Graph graph, List<Node> affected) {
    var seen = new HashMap<Key, Node>(2 * graph.size() + 16);
    long merged = 0;
    for (Node n = graph.first(); n != null; ) {
      Node next = n.next();
      if (n.op().has(Trait.PURE) && n.numResults() > 0) {
        Key k = new Key(n);
        Node earlier = seen.putIfAbsent(k, n);
        if (earlier != null && !returnsAny(n)) {
          if (affected != null) {
            for (Value r : n.results()) {
              affected.addAll(r.users());
            }
            for (Value v : n.operands()) {
              if (v.producer() != null) {
                affected.add(v.producer());
              }
              for (Node u : v.users()) {
                if (u != n) {
                  affected.add(u);
                }
              }
            }
          }
          graph.replaceNode(n, earlier.results());
          if (affected != null) {
            // the survivor and its readers see more readers now
            affected.add(earlier);
            for (Value r : earlier.results()) {
              affected.addAll(r.users());
            }
          }
          merged++;
        }
      }
      n = next;
    }
    return merged;
  }

  private static boolean returnsAny(Node n) {
    for (Value r : n.results()) {
      if (r.graph().isOutput(r)) {
        return true;
      }
    }
    return false;
  }
}
