package dev.cimc.ir.transform;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.pass.Pass;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassDef;
import dev.cimc.ir.pass.PassOptions;

/**
 * Erases pure nodes whose results nothing reads and the graph does not return. One backward sweep is
 * enough: a node's users come after it, so they are gone by the time it is visited. Graph inputs stay.
 */
public final class DeadCodeElimination extends Pass {
  public static final PassDef DEF = PassDef.builder("dce", "DeadCodeElimination")
      .summary("erase pure nodes whose results are unused")
      .statistic("nodes-erased", "pure nodes erased because their results were unused")
      .factory(DeadCodeElimination::new)
      .build();

  private DeadCodeElimination(PassOptions options) {
    super(DEF, options);
  }

  @Override
  public boolean run(Graph graph, PassContext context) {
    long erased = 0;
    for (Node n = graph.last(); n != null; ) {
      Node prev = n.prev();
      if (n.op().has(Trait.PURE) && n.isDead()) {
        graph.erase(n);
        erased++;
      }
      n = prev;
    }
    context.add("nodes-erased", erased);
    return erased > 0;
  }
}
