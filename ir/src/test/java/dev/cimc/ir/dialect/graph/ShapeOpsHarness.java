package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** Builds one-node graphs for the data-movement op tests, runs them and checks results. */
final class ShapeOpsHarness {
  private ShapeOpsHarness() {}

  /** Runs {@code op} on tensors fed as graph inputs and returns its only result. */
  static Tensor run(String op, Attributes attrs, Tensor... inputs) {
    return runMulti(op, attrs, 1, inputs).get(0);
  }

  /** Runs a multi-result op (variadic results: {@code numResults} of them). */
  static List<Tensor> runMulti(String op, Attributes attrs, int numResults, Tensor... inputs) {
    var b = new GraphBuilder("t", Dialects.standard());
    var args = new Value[inputs.length];
    var feed = new LinkedHashMap<String, Tensor>();
    for (int i = 0; i < inputs.length; i++) {
      args[i] = b.input("in" + i, inputs[i].type());
      feed.put("in" + i, inputs[i]);
    }
    List<Value> outs = numResults == 1 ? List.of(b.op(op, attrs, args)) : b.ops(op, attrs, numResults, args);
    b.output(outs.toArray(new Value[0]));
    Graph g = b.build();
    try (var it = Interpreter.withThreads(1)) {
      return new ArrayList<>(it.run(g, feed).values());
    }
  }

  /** The inferred result type of {@code op} on operands of the given types. */
  static TensorType infer(String op, Attributes attrs, TensorType... types) {
    var b = new GraphBuilder("t", Dialects.standard());
    var args = new Value[types.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = b.input("in" + i, types[i]);
    }
    return b.op(op, attrs, args).type();
  }

  /** The message of the builder error for {@code op} on operands of the given types. */
  static String error(String op, Attributes attrs, TensorType... types) {
    var e = assertThrows(CimcException.class, () -> infer(op, attrs, types));
    return e.getMessage();
  }

  /** The single node of a freshly built one-op graph (for folder tests). */
  static Node node(String op, Attributes attrs, TensorType... types) {
    var b = new GraphBuilder("t", Dialects.standard());
    var args = new Value[types.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = b.input("in" + i, types[i]);
    }
    Value v = b.op(op, attrs, args);
    b.output(v);
    return v.producer();
  }

  /** The first folder result of a node, or null. */
  static Value fold(Node n) {
    for (var f : n.op().folders()) {
      Value v = f.fold(n);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  static Tensor iota(ElementType et, int... dims) {
    var t = TensorType.of(et, dims);
    long[] v = new long[(int) t.numel()];
    for (int i = 0; i < v.length; i++) {
      v[i] = et == ElementType.BOOL ? i % 2 : i;
    }
    return et.isFloat() ? Tensor.fromDoubles(t, toDoubles(v)) : Tensor.fromLongs(t, v);
  }

  static Tensor floats(int[] dims, float... v) {
    return Tensor.ofFloats(dims, v);
  }

  static int[] dims(int... d) {
    return d;
  }

  private static double[] toDoubles(long[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }

  static void assertValues(Tensor t, TensorType type, double... expected) {
    assertEquals(type, t.type());
    double[] got = new double[t.size()];
    for (int i = 0; i < got.length; i++) {
      got[i] = t.getDouble(i);
    }
    assertArrayEquals(expected, got, 1e-6, () -> "values of " + t);
  }

  static void assertLongs(Tensor t, TensorType type, long... expected) {
    assertEquals(type, t.type());
    assertArrayEquals(expected, t.toLongArray(), () -> "values of " + t);
  }
}
