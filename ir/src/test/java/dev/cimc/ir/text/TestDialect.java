package dev.cimc.ir.text;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.dialect.graph.GraphDialect;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.op.Dialect;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;

/** A {@code test} dialect with every attribute kind, a variadic-result op and a result-less op. */
final class TestDialect {
  private TestDialect() {}

  static final OpDef ATTRS = OpDef.builder("test", "attrs")
      .operands("x")
      .optionalAttr("b", AttrKind.BOOL)
      .optionalAttr("f", AttrKind.FLOAT)
      .optionalAttr("fs", AttrKind.FLOATS)
      .optionalAttr("i", AttrKind.INT)
      .optionalAttr("is", AttrKind.INTS)
      .optionalAttr("s", AttrKind.STRING)
      .optionalAttr("ss", AttrKind.STRINGS)
      .optionalAttr("t", AttrKind.TENSOR)
      .optionalAttr("ty", AttrKind.TYPE)
      .infer(ctx -> List.of(ctx.operand(0)))
      .build();

  static final OpDef SPLIT = OpDef.builder("test", "split")
      .operands("x")
      .variadicResults()
      .infer(ctx -> {
        var out = new ArrayList<TensorType>();
        for (int i = 0; i < ctx.numResults(); i++) {
          out.add(ctx.operand(0));
        }
        return out;
      })
      .build();

  static final OpDef SINK = OpDef.builder("test", "sink")
      .variadicOperands("xs", 0)
      .results(0)
      .infer(ctx -> List.of())
      .build();

  static final OpRegistry REGISTRY = OpRegistry.of(List.of(Builtin.dialect(), GraphDialect.create(),
      QDialect.create(), new Dialect("test", "ops for parser tests", List.of(ATTRS, SPLIT, SINK))));
}
