package dev.cimc.ir.dialect;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import java.util.List;

/** The builtin ops, shared by every level and printed without a dialect prefix: {@code const}. */
public final class Builtin {
  private Builtin() {}

  /** A constant tensor; its type is the tensor's type. */
  public static final OpDef CONST = OpDef.builder("", "const")
      .summary("a constant tensor")
      .requiredAttr("value", AttrKind.TENSOR)
      .traits(Trait.PURE, Trait.CONSTANT_LIKE)
      .infer(ctx -> List.of(((Attribute.TensorAttr) ctx.attr("value")).value().type()))
      .kernel((ctx, in) -> new dev.cimc.ir.tensor.Tensor[] {((Attribute.TensorAttr) ctx.attr("value")).value()})
      .build();

  public static Dialect dialect() {
    return new Dialect("", "builtin ops", List.of(CONST));
  }
}
