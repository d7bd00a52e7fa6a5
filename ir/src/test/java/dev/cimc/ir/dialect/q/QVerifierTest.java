package dev.cimc.ir.dialect.q;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.verify.Verifier;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parsed text whose integer parameters contradict its types is reported, not run. */
class QVerifierTest {
  @Test
  void requantizeMultiplierInconsistentWithTheScales() {
    String text = """
        graph @g(%acc: tensor<4x!q.i32<scale=0.25, zp=0>>) -> tensor<4x!q.i8<scale=0.125, zp=0>> {
          %0 = q.requantize(%acc) {multiplier = [1073741824], shift = [0]} : tensor<4x!q.i8<scale=0.125, zp=0>>
          return %0
        }
        """;
    String message;
    try {
      Graph g = IrParser.parse(text, "bad.cir", Dialects.standard(), Map.of());
      message = Verifier.verify(g).toString();
    } catch (CimcException e) {
      message = e.render();
    }
    assertEquals("""
        error: graph @g is invalid (1 problem)
          bad.cir:2:3: %0 = q.requantize: channel 0: multiplier 1073741824 with shift 0 is 0.5 but the scales give \
        2.0 (expected 1073741824 · 2^-29)""", message.strip());
  }
}
