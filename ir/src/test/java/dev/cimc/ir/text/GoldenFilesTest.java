package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * One canonical {@code .cir} file per op of the standard registry, under {@code text/golden/<op>.cir}: each
 * parses, prints back to exactly its own bytes, and agrees with type inference. A new op without a file fails
 * {@link #everyOpHasAGoldenFile}.
 */
class GoldenFilesTest {
  private static final OpRegistry REGISTRY = Dialects.standard();

  static String golden(String op) {
    try (InputStream in = GoldenFilesTest.class.getResourceAsStream("/text/golden/" + op + ".cir")) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void everyOpHasAGoldenFile() {
    var missing = new ArrayList<String>();
    for (String op : REGISTRY.names()) {
      if (golden(op) == null) {
        missing.add("text/golden/" + op + ".cir");
      }
    }
    assertEquals(List.of(), missing, "ops without a golden file (add one in canonical form)");
  }

  @TestFactory
  Stream<DynamicTest> goldenFilesPrintBackExactly() {
    return REGISTRY.names().stream().filter(op -> golden(op) != null).map(op -> DynamicTest.dynamicTest(op, () -> {
      String text = golden(op);
      Graph g = IrParser.parse(text, op + ".cir", REGISTRY, Map.of());
      assertEquals(text, IrPrinter.toText(g, PrintOptions.defaults()));
      boolean usesOp = false;
      for (Node n = g.first(); n != null; n = n.next()) {
        usesOp |= n.op().fullName().equals(op);
        var operandTypes = new ArrayList<TensorType>();
        for (Value v : n.operands()) {
          operandTypes.add(v.type());
        }
        var declared = new ArrayList<TensorType>();
        for (Value r : n.results()) {
          declared.add(r.type());
        }
        assertEquals(List.of(), n.op().signatureErrors(n.numOperands(), n.attributes()), n.describe());
        assertEquals(declared, n.op().inferTypes(operandTypes, n.attributes(), declared), n.describe());
      }
      assertTrue(usesOp, op + ".cir does not use " + op);
    }));
  }
}
