package dev.cimc.ir.dialect.q;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** Builds and runs single q ops in tests: quantized types, code tensors, one-node graphs on 1 and 3 threads. */
final class QOps {
  static final OpRegistry R = Dialects.standard();

  private QOps() {}

  static TensorType perTensor(ElementType et, double scale, long zp, int... dims) {
    return new TensorType(et, Shape.of(dims), QuantParams.perTensor(scale, zp));
  }

  static TensorType perAxis(ElementType et, int axis, double[] scales, int... dims) {
    return new TensorType(et, Shape.of(dims), QuantParams.perAxis(axis, scales, new long[scales.length]));
  }

  static Tensor codes(TensorType t, long... values) {
    return Tensor.fromLongs(t, values);
  }

  /** Runs {@code op(inputs)} with a declared result type (or null), checking verification and 1 vs 3 threads. */
  static Tensor run(String op, Attributes attrs, TensorType declared, Tensor... inputs) {
    var b = new GraphBuilder("one", R);
    var operands = new ArrayList<Value>();
    var feed = new LinkedHashMap<String, Tensor>();
    for (int i = 0; i < inputs.length; i++) {
      Value v = b.input("in" + i, inputs[i].type());
      operands.add(v);
      feed.put(v.name(), inputs[i]);
    }
    Value r = b.node(R.get(op), operands, attrs, declared == null ? null : List.of(declared), List.of("out")).result();
    b.output(r);
    Graph g = b.build();
    assertEquals(List.of(), Verifier.verify(g));
    Tensor one;
    Tensor three;
    try (var it = Interpreter.withThreads(1)) {
      one = it.run(g, feed).get("out");
    }
    try (var it = Interpreter.withThreads(3)) {
      three = it.run(g, feed).get("out");
    }
    assertTrue(one.contentEquals(three), "1 and 3 threads differ");
    return one;
  }

  /** The message of the builder error for {@code op(operands)} (without the "op: " prefix). */
  static String error(String op, Attributes attrs, TensorType declared, TensorType... operands) {
    var b = new GraphBuilder("bad", R);
    var vs = new ArrayList<Value>();
    for (int i = 0; i < operands.length; i++) {
      vs.add(b.input("in" + i, operands[i]));
    }
    String msg = assertThrows(CimcException.class,
        () -> b.node(R.get(op), vs, attrs, declared == null ? null : List.of(declared), null)).getMessage();
    assertTrue(msg.startsWith(op + ": "), msg);
    return msg.substring(op.length() + 2);
  }

  static long[] longs(Tensor t) {
    long[] r = new long[t.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = t.getLong(i);
    }
    return r;
  }
}
