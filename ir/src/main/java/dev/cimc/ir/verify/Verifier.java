package dev.cimc.ir.verify;

import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    return new Run(g).verify();
  }

  /** Throws a {@link VerificationException} listing every problem, if there is any. */
  public static void check(Graph g) {
    List<Diagnostic> ds = verify(g);
    if (!ds.isEmpty()) {
      throw new VerificationException(g.name(), ds);
    }
  }

  /** The state of one verification: what is defined where, and who reads what. */
  private static final class Run {
    private final Graph g;
    private final String graphSubject;
    private final List<Diagnostic> out = new ArrayList<>();
    /** Every value this graph defines (inputs and node results), for telling "later" from "nowhere". */
    private final Set<Value> definedAnywhere = identitySet();
    /** Values defined so far in the walk. */
    private final Set<Value> defined = identitySet();
    /** The first definition of each value, as text for messages. */
    private final Map<Value, String> definer = new IdentityHashMap<>();
    /** The first value seen with each name, in walk order. */
    private final Map<String, Value> byName = new HashMap<>();
    /** Live nodes of the graph and their positions in it. */
    private final Map<Node, Integer> position = new IdentityHashMap<>();
    /** Readers of each value: one entry per operand slot, in node order. */
    private final Map<Value, List<Node>> readers = new IdentityHashMap<>();

    Run(Graph g) {
      this.g = g;
      this.graphSubject = "graph @" + g.name();
    }

    List<Diagnostic> verify() {
      definedAnywhere.addAll(g.inputs());
      for (Node n = g.first(); n != null; n = n.next()) {
        position.put(n, position.size());
        definedAnywhere.addAll(n.results());
        for (Value v : n.operands()) {
          readers.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
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
      String what = "input " + i + " (%" + v.name() + ")";
      if (v.graph() != g) {
        graphError(what + " belongs to graph @" + v.graph().name());
      }
      if (v.producer() != null) {
        graphError(what + " is recorded as result " + v.resultIndex() + " of " + where(v.producer()));
      }
      if (define(v, what, "graph input " + i, Location.UNKNOWN, graphSubject)) {
        checkUses(v, Location.UNKNOWN, graphSubject);
      }
    }

    private void checkNode(Node n) {
      Location loc = n.location();
      String subject = n.describe();
      OpDef op = n.op();

      // Operands: defined earlier in this graph
      boolean operandsDefined = true;
      for (int i = 0; i < n.numOperands(); i++) {
        Value v = n.operand(i);
        if (defined.contains(v)) {
          continue;
        }
        operandsDefined = false;
        String what = "operand " + i + " (%" + v.name() + ")";
        if (v.graph() != g) {
          error(loc, subject, what + " belongs to graph @" + v.graph().name());
        } else if (definedAnywhere.contains(v)) {
          error(loc, subject, what + " is used before it is defined");
        } else if (v.producer() != null && v.producer().isErased()) {
          error(loc, subject, what + " is not defined in graph @" + g.name() + " (its node was erased)");
        } else {
          error(loc, subject, what + " is not defined in graph @" + g.name());
        }
      }

      // Results: defined once, pointing back at this node, named consistently
      var firstDefinitions = new ArrayList<Value>(n.numResults());
      for (int i = 0; i < n.numResults(); i++) {
        Value r = n.result(i);
        String what = "result " + i + " (%" + r.name() + ")";
        if (r.graph() != g) {
          error(loc, subject, what + " belongs to graph @" + r.graph().name());
        }
        if (r.producer() == null) {
          error(loc, subject, what + " is recorded as a graph input");
        } else if (r.producer() != n || r.resultIndex() != i) {
          error(loc, subject, what + " is recorded as result " + r.resultIndex() + " of " + where(r.producer()));
        }
        if (define(r, what, where(n), loc, subject)) {
          firstDefinitions.add(r);
        }
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
      for (Value r : firstDefinitions) {
        checkUses(r, loc, subject);
      }
    }

    private void checkInference(Node n, Location loc, String subject, boolean countReported) {
      var operandTypes = new ArrayList<TensorType>(n.numOperands());
      for (Value v : n.operands()) {
        operandTypes.add(v.type());
      }
      var declared = new ArrayList<TensorType>(n.numResults());
      for (Value r : n.results()) {
        declared.add(r.type());
      }
      List<TensorType> inferred;
      try {
        inferred = n.op().inferTypes(operandTypes, n.attributes(), Collections.unmodifiableList(declared));
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
      for (int i = 0; i < inferred.size(); i++) {
        TensorType have = n.result(i).type();
        if (!have.equals(inferred.get(i))) {
          error(loc, subject, "result " + i + " has type " + have + " but inference gives " + inferred.get(i));
        }
      }
    }

    /**
     * Records a definition of {@code v} and reports name clashes; returns false (and reports it) if
     * {@code v} was defined before.
     */
    private boolean define(Value v, String what, String definedBy, Location loc, String subject) {
      String first = definer.get(v);
      if (first != null) {
        error(loc, subject, what + " is already defined by " + first);
        return false;
      }
      definer.put(v, definedBy);
      defined.add(v);
      Value sameName = byName.putIfAbsent(v.name(), v);
      if (sameName != null) {
        error(loc, subject, what + ": the name %" + v.name() + " is already used by " + definer.get(sameName));
        return true;
      }
      Value inTable = g.value(v.name());
      if (inTable == null) {
        error(loc, subject, what + " is missing from the graph's name table");
      } else if (inTable != v) {
        error(loc, subject, what + ": the graph's name table maps %" + v.name() + " to another value");
      }
      return true;
    }

    /** Compares a value's use-list with the operand slots that read it. */
    private void checkUses(Value v, Location loc, String subject) {
      Map<Node, Integer> listed = new IdentityHashMap<>();
      List<Node> foreign = new ArrayList<>();
      for (Node u : v.users()) {
        if (!position.containsKey(u)) {
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
      extra.sort(Comparator.comparingInt(position::get));
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
        } else if (!definedAnywhere.contains(v)) {
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

    private void error(Location loc, String subject, String message) {
      out.add(new Diagnostic(loc, subject, message));
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

    private static <T> Set<T> identitySet() {
      return Collections.newSetFromMap(new IdentityHashMap<>());
    }
  }
}
