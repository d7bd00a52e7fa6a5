package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;

/**
 * A graph quantized with power-of-two scales (so fake quantization's float arithmetic is exact), kept as the
 * fake-quantized reference, and lowered to integer ops: tests compare the two bit for bit.
 *
 * @param fake the fake-quantized graph
 * @param integer the lowered graph (verified)
 * @param data the random samples it was calibrated on
 * @param quantized what the quantize pass did
 * @param lowered what lower-to-integer did
 */
record ExactLowering(Graph fake, Graph integer, CalibrationData data, Quantize.Stats quantized,
    LowerToInteger.Stats lowered) {
  private static final OpRegistry R = Dialects.standard();

  /** Calibrates {@code g} on 6 random samples from {@code seed}, quantizes (u8 activations) and lowers it. */
  static ExactLowering of(Graph g, long seed) {
    CalibrationData data = CalibrationData.random(g, 6, seed);
    var a = new QuantScheme(QuantScheme.Kind.AFFINE, 8, false, false, QuantParams.PER_TENSOR, true);
    var w = new QuantScheme(QuantScheme.Kind.AFFINE, 8, true, true, 0, true);
    QuantPlan plan = Calibrator.calibrate(g, data, Calibrator.Settings.defaults().withScheme(a).withThreads(1),
        Calibrator.Progress.NONE).toPlan(new QuantPlan(a, w, Map.of(), Map.of()));
    Quantize.Stats q = Quantize.apply(g, plan, R);
    Graph fake = g.copy();
    LowerToInteger.Stats l = LowerToInteger.apply(g, R);
    assertEquals(List.of(), Verifier.verify(g));
    return new ExactLowering(fake, g, data, q, l);
  }

  /** The integer graph gives the fake-quantized graph's {@code output} on every sample, bit for bit. */
  void assertSameOutput(String output) {
    try (var it = Interpreter.withThreads(1)) {
      for (int i = 0; i < data.size(); i++) {
        Map<String, Tensor> in = data.sample(i);
        assertTrue(it.run(fake, in).get(output).contentEquals(it.run(integer, in).get(output)),
            "sample " + i + ": the integer %" + output + " differs from fake quantization");
      }
    }
  }
}
