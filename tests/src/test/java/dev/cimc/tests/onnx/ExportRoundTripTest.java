package dev.cimc.tests.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxExporter;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Export, then import: the imported graph computes the same outputs as the original, bit for bit, on the
 * same inputs. The one exception is graph.gelu, which opset 17 can only write as its formula (Div, Erf,
 * Add, Mul), so its round trip agrees to f32 rounding (1e-6 relative to the output's max-abs).
 */
class ExportRoundTripTest {
  static Stream<ExportCases.Case> cases() {
    // The importer has no QuantizeLinear/DequantizeLinear yet, so only graph-dialect cases come back.
    return ExportCases.graphCases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reimportedGraphComputesTheSameOutputs(ExportCases.Case c) {
    Graph g = c.graph();
    Graph back = OnnxImporter.importModel(OnnxExporter.toBytes(g), c.name() + ".onnx", ImportOptions.defaults());
    assertEquals(g.outputs().size(), back.outputs().size(), "number of outputs");
    Map<String, Tensor> inputs = ExportCases.randomInputs(g, 3);
    Map<String, Tensor> before = Interpreter.runOnce(g, inputs);
    Map<String, Tensor> after = Interpreter.runOnce(back, inputs);
    boolean formula = usesGelu(g);
    List<Value> outs = g.outputs();
    for (int i = 0; i < outs.size(); i++) {
      Tensor x = before.get(outs.get(i).name());
      Tensor y = after.get(back.outputs().get(i).name());
      assertEquals(Arrays.toString(x.shape().dims()), Arrays.toString(y.shape().dims()), "output " + i + " shape");
      if (formula) {
        Closeness cl = Closeness.of(y, x);
        assertTrue(cl.relative() <= 1e-6, "output " + i + ": " + cl);
      } else {
        assertBitwiseEqual(x, y, "output " + i + " (%" + outs.get(i).name() + ")");
      }
    }
  }

  private static boolean usesGelu(Graph g) {
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().fullName().equals("graph.gelu")) {
        return true;
      }
    }
    return false;
  }

  /** Same element values (floats by their bits, integers by value, whatever the container or quantization). */
  private static void assertBitwiseEqual(Tensor x, Tensor y, String what) {
    assertEquals(x.elementType().isFloat(), y.elementType().isFloat(), what + ": element type " + x.elementType()
        + " vs " + y.elementType());
    for (int i = 0; i < x.size(); i++) {
      if (x.elementType().isFloat()) {
        long a = Double.doubleToLongBits(x.getDouble(i));
        long b = Double.doubleToLongBits(y.getDouble(i));
        if (a != b) {
          throw new AssertionError(what + ": element " + i + " is " + y.getDouble(i) + ", expected " + x.getDouble(i));
        }
      } else if (x.getLong(i) != y.getLong(i)) {
        throw new AssertionError(what + ": element " + i + " is " + y.getLong(i) + ", expected " + x.getLong(i));
      }
    }
  }
}
