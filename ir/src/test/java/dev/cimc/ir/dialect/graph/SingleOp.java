package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.LinkedHashMap;
import java.util.Random;

/** Runs one op on concrete tensors through GraphBuilder and the interpreter (two threads), for tests. */
final class SingleOp {
  static final OpRegistry REGISTRY = Dialects.standard();
  private static final Interpreter INTERPRETER = Interpreter.withThreads(2);

  private SingleOp() {}

  /** Builds {@code op(operands){attrs}} on graph inputs and runs it. */
  static Tensor run(String op, Attributes attrs, Tensor... operands) {
    var b = new GraphBuilder("t", REGISTRY);
    var inputs = new LinkedHashMap<String, Tensor>();
    Value[] vs = new Value[operands.length];
    for (int i = 0; i < operands.length; i++) {
      vs[i] = b.input("in" + i, operands[i].type());
      inputs.put("in" + i, operands[i]);
    }
    b.output(b.op(op, attrs, vs));
    return INTERPRETER.run(b.build(), inputs).values().iterator().next();
  }

  /** The result type GraphBuilder infers. */
  static TensorType infer(String op, Attributes attrs, TensorType... types) {
    var b = new GraphBuilder("t", REGISTRY);
    Value[] vs = new Value[types.length];
    for (int i = 0; i < types.length; i++) {
      vs[i] = b.input("in" + i, types[i]);
    }
    return b.op(op, attrs, vs).type();
  }

  /** The message of the error building the op. */
  static String error(String op, Attributes attrs, TensorType... types) {
    return assertThrows(CimcException.class, () -> infer(op, attrs, types)).getMessage();
  }

  static Tensor f32(int[] dims, float... v) {
    return Tensor.wrap(TensorType.f32(dims), v);
  }

  static int[] dims(int... d) {
    return d;
  }

  static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  static void assertValues(float[] expected, Tensor actual) {
    float[] got = actual.toFloatArray();
    assertEquals(expected.length, got.length, "element count");
    for (int i = 0; i < got.length; i++) {
      if (Float.compare(expected[i], got[i]) != 0 && Math.abs(expected[i] - got[i]) > 1e-5f * Math.max(1f, Math.abs(expected[i]))) {
        fail("element " + i + ": expected " + expected[i] + ", got " + got[i] + "\nexpected "
            + java.util.Arrays.toString(expected) + "\ngot      " + java.util.Arrays.toString(got));
      }
    }
  }

  /**
   * Compares with a double-precision reference: |got − ref| ≤ 1e-5 · scale + 1e-6 where scale is the sum
   * of the magnitudes of the terms that make up the element.
   */
  static void assertClose(double[] ref, double[] scale, Tensor actual, String what) {
    assertEquals(ref.length, actual.size(), what + ": element count");
    for (int i = 0; i < ref.length; i++) {
      double got = actual.getDouble(i);
      double tol = 1e-5 * scale[i] + 1e-6;
      if (!(Math.abs(got - ref[i]) <= tol)) {
        fail(what + ": element " + i + " expected " + ref[i] + " got " + got + " (tolerance " + tol + ")");
      }
    }
    assertTrue(true);
  }
}
