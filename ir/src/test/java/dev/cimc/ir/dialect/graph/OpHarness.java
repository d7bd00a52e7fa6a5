package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.Folder;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.HashMap;
import java.util.Map;

/** Runs single graph ops on tensors, checks their inference errors and folders (test support). */
final class OpHarness {
  private OpHarness() {}

  /** Builds a one-node graph over fresh inputs and runs it on one thread. */
  static Tensor run(String op, Attributes attrs, Tensor... in) {
    return run(1, op, attrs, in);
  }

  static Tensor run(String op, Tensor... in) {
    return run(1, op, Attributes.EMPTY, in);
  }

  /** The same with an interpreter of {@code threads} threads (parallel kernel paths). */
  static Tensor run(int threads, String op, Attributes attrs, Tensor... in) {
    var b = new GraphBuilder("t", Dialects.standard());
    Value[] args = new Value[in.length];
    Map<String, Tensor> feed = new HashMap<>();
    for (int i = 0; i < in.length; i++) {
      args[i] = b.input("in" + i, in[i].type());
      feed.put("in" + i, in[i]);
    }
    Value r = b.op(op, attrs, args);
    b.output(r);
    try (var it = Interpreter.withThreads(threads)) {
      Tensor t = it.run(b.build(), feed).get(r.name());
      assertEquals(r.type(), t.type(), "kernel result type");
      return t;
    }
  }

  /** The type inferred for an op over operands of the given types. */
  static TensorType infer(String op, Attributes attrs, TensorType... types) {
    var b = new GraphBuilder("t", Dialects.standard());
    Value[] args = new Value[types.length];
    for (int i = 0; i < types.length; i++) {
      args[i] = b.input("in" + i, types[i]);
    }
    return b.op(op, attrs, args).type();
  }

  /** The message of the error building the op over operands of the given types. */
  static String error(String op, Attributes attrs, TensorType... types) {
    return assertThrows(CimcException.class, () -> infer(op, attrs, types)).getMessage();
  }

  /** The message of the error running the op (kernel errors). */
  static String runError(String op, Attributes attrs, Tensor... in) {
    return assertThrows(CimcException.class, () -> run(op, attrs, in)).getMessage();
  }

  /** The first folder result of the node producing {@code v}, or null. */
  static Value fold(Value v) {
    Node n = v.producer();
    for (Folder f : n.op().folders()) {
      Value r = f.fold(n);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  static GraphBuilder builder() {
    return new GraphBuilder("t", Dialects.standard());
  }

  static Tensor f32(int[] dims, float... v) {
    return Tensor.ofFloats(dims, v);
  }

  static Tensor vec(float... v) {
    return Tensor.ofFloats(new int[] {v.length}, v);
  }

  static Tensor scalar(float v) {
    return Tensor.scalar(v);
  }

  static Tensor ints(ElementType et, int[] dims, long... v) {
    return Tensor.fromLongs(TensorType.of(et, dims), v);
  }

  static Tensor doubles(ElementType et, int[] dims, double... v) {
    return Tensor.fromDoubles(TensorType.of(et, dims), v);
  }

  static int[] dims(int... d) {
    return d;
  }

  /** Exact float equality per element (NaN equals NaN, -0 equals 0), with the shape checked. */
  static void assertFloats(Tensor t, int[] dims, float... expected) {
    assertClose(t, dims, 0, expected);
  }

  /** Elementwise |got - want| ≤ tol·max(1, |want|); NaN must match NaN, infinities must match exactly. */
  static void assertClose(Tensor t, int[] dims, double tol, float... expected) {
    assertEquals(TensorType.of(t.elementType(), dims).shape(), t.shape(), "shape");
    assertEquals(expected.length, t.size(), "size");
    for (int i = 0; i < expected.length; i++) {
      double got = t.getDouble(i);
      double want = expected[i];
      if (Float.isNaN(expected[i])) {
        assertTrue(Double.isNaN(got), "element " + i + ": want NaN, got " + got);
      } else if (Double.isInfinite(want) || tol == 0) {
        assertEquals(want, got, 0.0, "element " + i);
      } else if (!(Math.abs(got - want) <= tol * Math.max(1, Math.abs(want)))) {
        fail("element " + i + ": want " + want + ", got " + got + " (tolerance " + tol + ")");
      }
    }
  }

  static void assertLongs(Tensor t, ElementType et, int[] dims, long... expected) {
    assertEquals(TensorType.of(et, dims), t.type(), "type");
    assertEquals(expected.length, t.size(), "size");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], t.getLong(i), "element " + i);
    }
  }
}
