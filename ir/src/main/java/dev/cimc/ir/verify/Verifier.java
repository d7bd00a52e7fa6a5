package dev.cimc.ir.verify;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a graph's invariants and reports every violation, not just the first: values defined before use
 * and once, operand counts, attribute schemas, result counts and types against inference, graph outputs
 * defined, and use-lists consistent with the operands that read them.
 *
 * <p>Diagnostics come in a fixed order: graph inputs, then nodes in graph order (per node: operands,
 * result definitions, signature, result count, result types, use-lists), then graph outputs. Dynamic
 * dimensions are legal; a result type must equal what inference gives, as the builders require.
 */
public final class Verifier {
  private Verifier() {}

  /** All problems in the graph, in node order; empty when it is valid. */
  public static List<Diagnostic> verify(Graph g) {
    return verify(g, null);
  }

  /**
   * All problems in the graph; {@code memo} (may be null) lets repeated verifications of one graph skip the
   * type inference of nodes whose op, attributes and operand and result types have not changed since it
   * last agreed with them.
   */
  public static List<Diagnostic> verify(Graph g, InferenceMemo memo) {
    return new Run(g, memo).verify();
  }

  /** Throws a {@link VerificationException} listing every problem, if there is any. */
  public static void check(Graph g) {
    check(g, null);
  }

  /** {@link #check(Graph)} with an inference memo (see {@link #verify(Graph, InferenceMemo)}). */
  public static void check(Graph g, InferenceMemo memo) {
    List<Diagnostic> ds = verify(g, memo);
    if (!ds.isEmpty()) {
      throw new VerificationException(g.name(), ds);
    }
  }

  /**
   * Type inference results a series of verifications of one graph can reuse (a pass manager keeps one per
   * pipeline run): per node, the inputs of the last inference that gave the node's result types. Inference
   * is a function of op, operand types, attributes and declared results, all immutable values, so equal
   * inputs give the same verdict.
   */
  public static final class InferenceMemo {
    private final Map<Node, Inferred> byNode = new IdentityHashMap<>();

    private record Inferred(OpDef op, Attributes attributes, TensorType[] operands, TensorType[] results) {
      boolean matches(Node n, TensorType[] operandTypes, TensorType[] resultTypes) {
        return op == n.op() && attributes == n.attributes() && same(operands, operandTypes)
            && same(results, resultTypes);
      }

      private static boolean same(TensorType[] a, TensorType[] b) {
        if (a.length != b.length) {
          return false;
        }
        for (int i = 0; i < a.length; i++) {
          if (a[i] != b[i] && !a[i].equals(b[i])) {
            return false;
          }
        }
        return true;
      }
    }
  }

  /** The state of one verification: what is defined where, and who reads what. */
  /**
   * A side table keyed by value: an array indexed by {@link Value#id()} for the graph's own values, an
   * identity map for values of other graphs (which are errors, but still have to be described).
   */
  private static final class ValueTable<T> {
    private final Graph g;
    private final Object[] own;
    private Map<Value, T> foreign;

    ValueTable(Graph g) {
      this.g = g;
      this.own = new Object[g.valueIdBound()];
    }

    @SuppressWarnings("unchecked")
    T get(Value v) {
      if (v.graph() == g && v.id() < own.length) {
        return (T) own[v.id()];
      }
      return foreign == null ? null : foreign.get(v);
    }

    void put(Value v, T t) {
      if (v.graph() == g && v.id() < own.length) {
        own[v.id()] = t;
      } else {
        if (foreign == null) {
          foreign = new IdentityHashMap<>();
        }
        foreign.put(v, t);
      }
    }

    boolean containsKey(Value v) {
      return get(v) != null;
    }

    T getOrDefault(Value v, T d) {
      T t = get(v);
      return t == null ? d : t;
    }
  }

  private static final class Run {
    private final Graph g;
    private final InferenceMemo memo;
    private final String graphSubject;
    private final List<Diagnostic> out = new ArrayList<>();
    /**
     * The first definition of each value seen so far in the walk: the defining Node, or the input index as
     * an Integer. Messages render it lazily (the walk must not build strings for valid graphs).
     */
    private final ValueTable<Object> definer;
    /** The first value seen with each name, in walk order. */
    private final Map<String, Value> byName;
    /** Positions of the graph's live nodes, by node id (-1: not a live node of this graph). */
    private final int[] position;
    /** Readers of each value: one entry per operand slot, in node order. */
    private final ValueTable<List<Node>> readers;

    Run(Graph g, InferenceMemo memo) {
      this.g = g;
      this.memo = memo;
      this.graphSubject = "graph @" + g.name();
      // Side tables indexed by id: identity maps dominated the verifier's time on large graphs.
      this.definer = new ValueTable<>(g);
      this.readers = new ValueTable<>(g);
      this.byName = new HashMap<>((g.size() + g.inputs().size()) * 2);
      this.position = new int[g.nodeIdBound()];
      java.util.Arrays.fill(position, -1);
    }

    /** The position of a live node of this graph, or -1. */
    private int position(Node n) {
      return n.graph() == g && !n.isErased() && n.id() < position.length ? position[n.id()] : -1;
    }

    private boolean isLive(Node n) {
      return position(n) >= 0;
    }

    /** True if {@code v} is an input of this graph or a result of one of its live nodes. */
    private boolean definedAnywhere(Value v) {
      if (v.graph() != g) {
        return false;
      }
      Node p = v.producer();
      if (p == null) {
        for (Value in : g.inputs()) {
          if (in == v) {
            return true;
          }
        }
        return false;
      }
      return isLive(p) && v.resultIndex() < p.numResults() && p.result(v.resultIndex()) == v;
    }

    List<Diagnostic> verify() {
      int pos = 0;
      for (Node n = g.first(); n != null; n = n.next()) {
        position[n.id()] = pos++;
        for (int i = 0, k = n.numOperands(); i < k; i++) {
          Value v = n.operand(i);
          List<Node> l = readers.get(v);
          if (l == null) {
            l = new ArrayList<>(2);
            readers.put(v, l);
          }
          l.add(n);
        }
      }
      List<Value> inputs = g.inputs();
      for (int i = 0; i < inputs.size(); i++) {
        checkInput(i, inputs.get(i));
      }
      for (Node n = g.first(); n != null; n = n.next()) {
        checkNode(n);
      }
      checkOutputs();
      return out;
    }

    private void checkInput(int i, Value v) {
      String what = what("input", i, v);
      if (v.graph() != g) {
        graphError(what + " belongs to graph @" + v.graph().name());
      }
      if (v.producer() != null) {
        graphError(what + " is recorded as result " + v.resultIndex() + " of " + where(v.producer()));
      }
      if (define(v, "input", i, i, Location.UNKNOWN, graphSubject)) {
        checkUses(v, Location.UNKNOWN, graphSubject);
      }
    }

    private void checkNode(Node n) {
      Location loc = n.location();
      // the node itself: error() describes it, so valid nodes cost no strings
      Object subject = n;
      OpDef op = n.op();

      // Operands: defined earlier in this graph
      boolean operandsDefined = true;
      for (int i = 0; i < n.numOperands(); i++) {
        Value v = n.operand(i);
        if (definer.containsKey(v)) {
          continue;
        }
        operandsDefined = false;
        String what = what("operand", i, v);
        if (v.graph() != g) {
          error(loc, subject, what + " belongs to graph @" + v.graph().name());
        } else if (definedAnywhere(v)) {
          error(loc, subject, what + " is used before it is defined");
        } else if (v.producer() != null && v.producer().isErased()) {
          error(loc, subject, what + " is not defined in graph @" + g.name() + " (its node was erased)");
        } else {
          error(loc, subject, what + " is not defined in graph @" + g.name());
        }
      }

      // Results: defined once, pointing back at this node, named consistently
      int numResults = n.numResults();
      boolean[] firstDefinition = new boolean[numResults];
      for (int i = 0; i < numResults; i++) {
        Value r = n.result(i);
        if (r.graph() != g) {
          error(loc, subject, what("result", i, r) + " belongs to graph @" + r.graph().name());
        }
        if (r.producer() == null) {
          error(loc, subject, what("result", i, r) + " is recorded as a graph input");
        } else if (r.producer() != n || r.resultIndex() != i) {
          error(loc, subject, what("result", i, r) + " is recorded as result " + r.resultIndex() + " of "
              + where(r.producer()));
        }
        firstDefinition[i] = define(r, "result", i, n, loc, subject);
      }

      // Operand count and attributes against the op's schema
      List<String> signature = op.signatureErrors(n.numOperands(), n.attributes());
      for (String e : signature) {
        error(loc, subject, e);
      }

      // Result count, when the op fixes it
      boolean countReported = false;
      if (op.numResults() != OpDef.VARIADIC && n.numResults() != op.numResults()) {
        error(loc, subject, "expected " + plural(op.numResults(), "result") + ", got " + n.numResults());
        countReported = true;
      }

      // Result types against inference. Skipped when an operand is undefined (its type says nothing
      // about this node, and the error would cascade) or the signature is wrong (inference assumes it).
      if (operandsDefined && signature.isEmpty()) {
        checkInference(n, loc, subject, countReported);
      }

      // Use-lists of the results (once per value, even if it is defined twice)
      for (int i = 0; i < numResults; i++) {
        if (firstDefinition[i]) {
          checkUses(n.result(i), loc, subject);
        }
      }
    }

    private void checkInference(Node n, Location loc, Object subject, boolean countReported) {
      int numOperands = n.numOperands();
      TensorType[] operandTypes = new TensorType[numOperands];
      for (int i = 0; i < numOperands; i++) {
        operandTypes[i] = n.operand(i).type();
      }
      int numResults = n.numResults();
      TensorType[] declared = new TensorType[numResults];
      for (int i = 0; i < numResults; i++) {
        declared[i] = n.result(i).type();
      }
      if (memo != null) {
        InferenceMemo.Inferred last = memo.byNode.get(n);
        if (last != null && last.matches(n, operandTypes, declared)) {
          return;
        }
      }
      List<TensorType> inferred;
      try {
        inferred = n.op().inferTypes(Arrays.asList(operandTypes), n.attributes(),
            Collections.unmodifiableList(Arrays.asList(declared)));
      } catch (InferenceException e) {
        error(loc, subject, e.getMessage());
        return;
      } catch (RuntimeException e) {
        // A bug in the op's inference, not in the graph; still reported here, so every problem is listed.
        error(loc, subject, "type inference failed: " + e);
        return;
      }
      if (inferred.size() != n.numResults()) {
        if (!countReported) {
          error(loc, subject, "type inference gives " + plural(inferred.size(), "result") + ", the node has "
              + n.numResults());
        }
        return;
      }
      boolean agrees = true;
      for (int i = 0; i < inferred.size(); i++) {
        TensorType have = n.result(i).type();
        if (!have.equals(inferred.get(i))) {
          error(loc, subject, "result " + i + " has type " + have + " but inference gives " + inferred.get(i));
          agrees = false;
        }
      }
      if (agrees && memo != null) {
        memo.byNode.put(n, new InferenceMemo.Inferred(n.op(), n.attributes(), operandTypes, declared));
      }
    }

    /**
     * Records a definition of {@code v} and reports name clashes; returns false (and reports it) if
     * {@code v} was defined before.
     */
    private boolean define(Value v, String kind, int index, Object definedBy, Location loc, Object subject) {
      Object first = definer.get(v);
      if (first != null) {
        error(loc, subject, what(kind, index, v) + " is already defined by " + definerText(first));
        return false;
      }
      definer.put(v, definedBy);
      Value sameName = byName.putIfAbsent(v.name(), v);
      if (sameName != null) {
        error(loc, subject, what(kind, index, v) + ": the name %" + v.name() + " is already used by "
            + definerText(definer.get(sameName)));
        return true;
      }
      Value inTable = g.value(v.name());
      if (inTable == null) {
        error(loc, subject, what(kind, index, v) + " is missing from the graph's name table");
      } else if (inTable != v) {
        error(loc, subject, what(kind, index, v) + ": the graph's name table maps %" + v.name()
            + " to another value");
      }
      return true;
    }

    private static String definerText(Object d) {
      return d instanceof Node n ? where(n) : "graph input " + d;
    }

    /** Compares a value's use-list with the operand slots that read it. */
    private void checkUses(Value v, Location loc, Object subject) {
      if (usesMatch(v)) {
        return;
      }
      Map<Node, Integer> listed = new IdentityHashMap<>();
      List<Node> foreign = new ArrayList<>();
      for (Node u : v.users()) {
        if (!isLive(u)) {
          if (!containsIdentity(foreign, u)) {
            foreign.add(u);
          }
          continue;
        }
        listed.merge(u, 1, Integer::sum);
      }
      Map<Node, Integer> reads = new IdentityHashMap<>();
      List<Node> order = new ArrayList<>();
      for (Node r : readers.getOrDefault(v, List.of())) {
        if (reads.merge(r, 1, Integer::sum) == 1) {
          order.add(r);
        }
      }
      // Nodes the use-list names but that do not read the value, in graph order after the readers.
      var extra = new ArrayList<Node>();
      for (Node m : listed.keySet()) {
        if (!reads.containsKey(m)) {
          extra.add(m);
        }
      }
      extra.sort(Comparator.comparingInt(this::position));
      order.addAll(extra);
      for (Node m : order) {
        int l = listed.getOrDefault(m, 0);
        int r = reads.getOrDefault(m, 0);
        if (l != r) {
          error(loc, subject, "use-list of %" + v.name() + " lists " + m.describe() + " " + times(l)
              + ", but the node reads it " + times(r));
        }
      }
      for (Node u : foreign) {
        error(loc, subject, "use-list of %" + v.name() + " lists " + u.describe() + ", which is not a node of graph @"
            + g.name());
      }
    }

    /**
     * The common case, cheaply: the use-list and the reading slots are the same multiset of live nodes
     * (compared pairwise for the short lists most values have).
     */
    private boolean usesMatch(Value v) {
      List<Node> users = v.users();
      List<Node> reads = readers.getOrDefault(v, List.of());
      int k = users.size();
      if (k != reads.size() || k > 8) {
        return false;
      }
      for (int i = 0; i < k; i++) {
        Node u = users.get(i);
        if (!isLive(u)) {
          return false;
        }
        int inUsers = 0;
        int inReads = 0;
        for (int j = 0; j < k; j++) {
          inUsers += users.get(j) == u ? 1 : 0;
          inReads += reads.get(j) == u ? 1 : 0;
        }
        if (inUsers != inReads) {
          return false;
        }
      }
      return true;
    }

    private void checkOutputs() {
      List<Value> outputs = g.outputs();
      if (outputs.isEmpty()) {
        graphError("returns nothing (a graph needs at least one output)");
      }
      for (int i = 0; i < outputs.size(); i++) {
        Value v = outputs.get(i);
        String what = "output " + i + " (%" + v.name() + ")";
        if (v.graph() != g) {
          graphError(what + " belongs to graph @" + v.graph().name());
        } else if (!definedAnywhere(v)) {
          graphError(what + " is not defined in graph @" + g.name()
              + (v.producer() != null && v.producer().isErased() ? " (its node was erased)" : ""));
        }
      }
    }

    /** A node as named in messages about another node: {@code %3 = graph.add at m.cir:4:3}. */
    private static String where(Node n) {
      return n.describe() + (n.location() instanceof Location.Unknown ? "" : " at " + n.location());
    }

    private void graphError(String message) {
      error(Location.UNKNOWN, graphSubject, message);
    }

    /** {@code subject} is a message subject, or a node described as one. */
    private void error(Location loc, Object subject, String message) {
      out.add(new Diagnostic(loc, subject instanceof Node n ? n.describe() : (String) subject, message));
    }

    /** How messages name an input, operand or result: {@code result 0 (%x)}. */
    private static String what(String kind, int index, Value v) {
      return kind + " " + index + " (%" + v.name() + ")";
    }

    private static boolean containsIdentity(List<Node> l, Node n) {
      for (Node m : l) {
        if (m == n) {
          return true;
        }
      }
      return false;
    }

    private static String times(int n) {
      return n == 1 ? "once" : n == 2 ? "twice" : n + " times";
    }

    private static String plural(int n, String word) {
      return n + " " + word + (n == 1 ? "" : "s");
    }
  }
}
