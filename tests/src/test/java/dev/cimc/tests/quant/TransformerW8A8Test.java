package dev.cimc.tests.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The transformer fixture at W8A8, integer only: calibrated on 32 calibration sequences, quantized and
 * lowered, every computing op is a q op — the dense layers (q.qgemm), both attention products Q·Kᵀ and A·V
 * with two quantized operands (q.qmatmul), softmax (q.softmax), layer norm (q.layer_norm), the 1/√d scaling
 * (q.lut), residual adds (q.qadd), relu and the mean pool (q.average_pool) — and only data movement on codes
 * (reshape, transpose, slice) is left in the graph dialect. On 64 evaluation sequences the integer logits
 * reach an SQNR of at least 25 dB against the float graph.
 */
class TransformerW8A8Test {
  private static final Set<String> DATA_MOVEMENT = Set.of("graph.reshape", "graph.transpose", "graph.slice");

  @Test
  void integerTransformerKeepsTwentyFiveDecibels() {
    QuantFixture f = QuantFixture.load("transformer", 32, 64);
    Graph g = f.graph();
    Graph in = g.copy();
    Quantize.apply(in, f.calibrate(QuantPlan.defaults()), QuantFixture.R);
    LowerToInteger.Stats st = LowerToInteger.apply(in, QuantFixture.R);
    assertEquals(List.of(), Verifier.verify(in));
    assertEquals(0, st.leftInFloat(), "ops-left-in-float");
    var ops = new TreeMap<String, Integer>();
    for (Node n = in.first(); n != null; n = n.next()) {
      String op = n.op().fullName();
      ops.merge(op, 1, Integer::sum);
      if (op.startsWith("graph.")) {
        assertTrue(DATA_MOVEMENT.contains(op), op + " is left in float");
      }
    }
    assertEquals(4, ops.get("q.qmatmul"), "Q·Kᵀ and A·V of both layers: " + ops);
    assertEquals(2, ops.get("q.softmax"), ops::toString);
    assertEquals(4, ops.get("q.layer_norm"), ops::toString);
    double signal = 0;
    double noise = 0;
    double dot = 0;
    double qq = 0;
    int agree = 0;
    try (var it = Interpreter.withThreads(2)) {
      for (Map<String, Tensor> sample : f.eval()) {
        float[] ref = it.run(g, sample).values().iterator().next().floats();
        float[] got = it.run(in, sample).values().iterator().next().floats();
        for (int i = 0; i < ref.length; i++) {
          signal += (double) ref[i] * ref[i];
          noise += (double) (got[i] - ref[i]) * (got[i] - ref[i]);
          dot += (double) ref[i] * got[i];
          qq += (double) got[i] * got[i];
        }
        agree += argmax(ref) == argmax(got) ? 1 : 0;
      }
    }
    double sqnr = 10 * Math.log10(signal / noise);
    double cosine = dot / Math.sqrt(signal * qq);
    System.out.printf("[transformer-w8a8] %d eval sequences: output SQNR %.2f dB, cosine %.5f, top-1 agreement %d/%d;"
        + " ops lowered %d, left in float %d; %s%n", f.eval().size(), sqnr, cosine, agree, f.eval().size(),
        st.lowered(), st.leftInFloat(), ops);
    assertTrue(sqnr >= 25, "SQNR " + sqnr + " dB");
    assertTrue(cosine >= 0.99, "cosine " + cosine);
  }

  private static int argmax(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (a[i] > a[best]) {
        best = i;
      }
    }
    return best;
  }
}
