package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** print(parse(print(g))) == print(g), byte for byte, over random graphs of the standard ops. */
class RoundTripPropertyTest {

  @Property(tries = 1000)
  void printParsePrintIsIdentity(
      @ForAll @Size(max = 300) List<@IntRange(min = 0, max = 1 << 20) Integer> choices) {
    assertRoundTrip(RandomGraphs.generate(new RandomGraphs.Choices(choices)));
  }

  /** Seeded graphs are larger than what jqwik's lists give on average, and cover every generated op. */
  @Test
  void seededGraphsRoundTripAndCoverEveryOp() {
    var seen = new TreeSet<String>();
    for (long seed = 0; seed < 300; seed++) {
      var c = RandomGraphs.generate(new RandomGraphs.Choices(seed));
      assertRoundTrip(c);
      seen.addAll(c.ops());
    }
    // Ops needing operands or attributes the generator does not build are covered by the golden files.
    assertEquals(RandomGraphs.generatedOps(), seen, "ops the generator produced");
  }

  static void assertRoundTrip(RandomGraphs.Case c) {
    Graph g = c.graph();
    Verifier.check(g);
    IrPrinter.Printed first = IrPrinter.print(g, c.options());
    Graph back = IrParser.parse(first.text(), "roundtrip.cir", RandomGraphs.REGISTRY, first.blobs());
    IrPrinter.Printed second = IrPrinter.print(back, c.options());
    assertEquals(first.text(), second.text());
    assertEquals(first.blobs().keySet(), second.blobs().keySet());
    for (Map.Entry<String, Tensor> e : first.blobs().entrySet()) {
      assertTrue(e.getValue().contentEquals(second.blobs().get(e.getKey())), "blob " + e.getKey());
      // the parser hands out the caller's tensors, not copies
      assertSame(e.getValue(), second.blobs().get(e.getKey()));
    }
    assertEquals(g.size(), back.size());
    Node a = g.first();
    Node b = back.first();
    while (a != null) {
      assertEquals(a.op(), b.op());
      assertEquals(a.attributes(), b.attributes());
      a = a.next();
      b = b.next();
    }
  }
}
