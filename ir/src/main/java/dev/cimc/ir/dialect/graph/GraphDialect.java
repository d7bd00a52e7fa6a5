package dev.cimc.ir.dialect.graph;

import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.OpDef;
import java.util.ArrayList;

/** The {@code graph} dialect: float tensor ops with ONNX semantics, the language frontends lower into. */
public final class GraphDialect {
  private GraphDialect() {}

  public static Dialect create() {
    var ops = new ArrayList<OpDef>();
    ops.addAll(ElementwiseOps.defs());
    java.util.List.of(ActivationOps.defs(), NormOps.defs(), ReduceOps.defs()).forEach(ops::addAll);
    ops.addAll(ShapeOps.defs());
    ops.addAll(LinalgOps.defs());
    ops.addAll(PoolOps.defs());
    ops.addAll(FusedOps.defs());
    return new Dialect("graph", "float tensor ops with ONNX semantics", ops);
  }
}
