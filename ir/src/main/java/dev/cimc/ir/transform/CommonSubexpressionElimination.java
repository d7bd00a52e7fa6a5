package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
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
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
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

  /** What makes two nodes interchangeable; the hash is computed once (constants hash their content). */
  private static final class Key {
    private final OpDef op;
    private final List<Value> operands;
    private final Attributes attributes;
    private final List<TensorType> types;
    private final int hash;

    Key(Node n) {
      this.op = n.op();
      var ops = new ArrayList<>(n.operands());
      if (op.has(Trait.COMMUTATIVE)) {
        // names are unique, so this order is canonical and deterministic
        ops.sort(Comparator.comparing(Value::name));
      }
      this.operands = ops;
      this.attributes = effectiveAttributes(n);
      var t = new ArrayList<TensorType>(n.numResults());
      for (Value r : n.results()) {
        t.add(r.type());
      }
      this.types = t;
      int h = op.hashCode();
      for (Value v : operands) {
        h = 31 * h + System.identityHashCode(v);
      }
      this.hash = 31 * (31 * h + sampledHash(attributes)) + types.hashCode();
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k) || k.hash != hash || k.op != op || k.operands.size() != operands.size()) {
        return false;
      }
      for (int i = 0; i < operands.size(); i++) {
        if (k.operands.get(i) != operands.get(i)) {
          return false;
        }
      }
      return k.types.equals(types) && k.attributes.equals(attributes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * A hash of the attributes that reads at most {@link #SAMPLES} elements of each tensor attribute: equal
   * attributes hash equally, and a large weight tensor costs O(1) instead of a pass over its data (equality
   * still compares contents, but only for candidates whose samples agree).
   */
  private static int sampledHash(Attributes attrs) {
    int h = 1;
    for (var e : attrs.entries()) {
      int v;
      if (e.getValue() instanceof Attribute.TensorAttr ta) {
        Tensor t = ta.value();
        v = t.type().hashCode();
        int n = t.size();
        int step = Math.max(1, n / SAMPLES);
        for (int i = 0; i < n; i += step) {
          v = 31 * v + Double.hashCode(t.getDouble(i));
        }
      } else {
        v = e.getValue().hashCode();
      }
      h = 31 * h + (e.getKey().hashCode() ^ v);
    }
    return h;
  }

  /** Elements of a tensor attribute read by the CSE hash. */
  private static final int SAMPLES = 64;

  /** The node's attributes with the schema defaults filled in, so {@code group = 1} equals no group. */
  private static Attributes effectiveAttributes(Node n) {
    Attributes a = n.attributes();
    for (var e : n.op().attributeSchema().entrySet()) {
      if (!a.has(e.getKey()) && e.getValue().defaultValue() != null) {
        a = a.with(e.getKey(), e.getValue().defaultValue());
      }
    }
    return a;
  }

  /** One forward sweep; returns the number of nodes merged away. */
  static long eliminate(Graph graph) {
    var seen = new HashMap<Key, Node>();
    long merged = 0;
    for (Node n = graph.first(); n != null; ) {
      Node next = n.next();
      if (n.op().has(Trait.PURE) && n.numResults() > 0) {
        Key k = new Key(n);
        Node earlier = seen.putIfAbsent(k, n);
        if (earlier != null && !returnsAny(n)) {
          graph.replaceNode(n, earlier.results());
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
