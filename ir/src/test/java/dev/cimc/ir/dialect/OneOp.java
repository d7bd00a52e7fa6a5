package dev.cimc.ir.dialect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a single op of the standard registry: its type inference, and its kernel in a one-node graph. */
final class OneOp {
  static final OpRegistry R = Dialects.standard();

  private OneOp() {}

  /** The single result type inference gives. */
  static TensorType infer(String op, Attributes attrs, TensorType... operands) {
    List<TensorType> ts = R.get(op).inferTypes(List.of(operands), attrs, null);
    assertEquals(1, ts.size());
    return ts.get(0);
  }

  /** The message of the inference error. */
  static String inferError(String op, Attributes attrs, TensorType... operands) {
    return assertThrows(InferenceException.class, () -> R.get(op).inferTypes(List.of(operands), attrs, null))
        .getMessage();
  }

  static Tensor run(String op, Tensor... inputs) {
    return run(op, Attributes.EMPTY, null, inputs);
  }

  static Tensor run(String op, Attributes attrs, Tensor... inputs) {
    return run(op, attrs, null, inputs);
  }

  /**
   * Builds {@code op(inputs)} (with a declared result type if given), checks that it verifies, runs it on
   * one thread and on four, and returns the result after checking both runs agree bit for bit.
   */
  static Tensor run(String op, Attributes attrs, TensorType declared, Tensor... inputs) {
    var b = new GraphBuilder("one", R);
    var operands = new ArrayList<Value>();
    var feed = new LinkedHashMap<String, Tensor>();
    for (int i = 0; i < inputs.length; i++) {
      Value v = b.input("in" + i, inputs[i].type());
      operands.add(v);
      feed.put(v.name(), inputs[i]);
    }
    Value r = b.node(R.get(op), operands, attrs, declared == null ? null : List.of(declared), List.of("out"))
        .result();
    b.output(r);
    Graph g = b.build();
    assertEquals(List.of(), Verifier.verify(g));
    Tensor serial;
    Tensor parallel;
    try (var it = Interpreter.withThreads(1)) {
      serial = only(it.run(g, feed));
    }
    try (var it = Interpreter.withThreads(4)) {
      parallel = only(it.run(g, feed));
    }
    assertTrue(serial.contentEquals(parallel), "serial and parallel runs differ");
    assertEquals(r.type(), serial.type());
    return serial;
  }

  private static Tensor only(Map<String, Tensor> outs) {
    assertEquals(1, outs.size());
    return outs.get("out");
  }
}
