package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.verify.Verifier;
import org.junit.jupiter.api.Test;

/** The benchmark runs (a smoke test: no timing is asserted). */
class TextBenchmarkTest {
  @Test
  void runsOnASmallGraph() {
    var g = TextBenchmark.syntheticGraph(900, Dialects.standard());
    Verifier.check(g);
    assertEquals(900, g.size());
    var r = TextBenchmark.run(900, 0, 1);
    assertEquals(900, r.nodes());
    assertTrue(r.printNodesPerSecond() > 0 && r.parseNodesPerSecond() > 0, r.summary());
    assertTrue(r.summary().startsWith("900 nodes, "), r.summary());
  }
}
