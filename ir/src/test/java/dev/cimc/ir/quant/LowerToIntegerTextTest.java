package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.pass.PassContext;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrParser;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lower-to-integer as text in, text out, plus the interpreter before and after. */
class LowerToIntegerTextTest {
  private static final String FAKE_QUANT = """
      graph @g(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
        %x.q = q.quantize(%x) : tensor<1x1x2x2x!q.u8<scale=0.5, zp=10>>
        %x.dq = q.dequantize(%x.q) : tensor<1x1x2x2xf32>
        %w.q = const dense<[3, -2]> : tensor<2x1x1x1x!q.i8<axis=0, scales=[0.25, 0.125], zps=[0, 0]>>
        %w.dq = q.dequantize(%w.q) : tensor<2x1x1x1xf32>
        %b.q = const dense<[5, -7]> : tensor<2x!q.i32<axis=0, scales=[0.125, 0.0625], zps=[0, 0]>>
        %b.dq = q.dequantize(%b.q) : tensor<2xf32>
        %c = graph.conv2d(%x.dq, %w.dq, %b.dq) : tensor<1x2x2x2xf32>
        %c.q = q.quantize(%c) : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %c.dq = q.dequantize(%c.q) : tensor<1x2x2x2xf32>
        %r = graph.relu(%c.dq) : tensor<1x2x2x2xf32>
        %r.q = q.quantize(%r) : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %r.dq = q.dequantize(%r.q) : tensor<1x2x2x2xf32>
        return %r.dq
      }
      """;

  // bias: 5 − 10·3 = −25 and −7 − 10·(−2) = 13; multipliers 0.125/0.1 = 1.25 = 2^30 · 2^-30 · 1.25 and
  // 0.0625/0.1 = 0.625 = 0.625 · 2^31 · 2^-31
  private static final String INTEGER = """
      graph @g(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
        %x.q = q.quantize(%x) : tensor<1x1x2x2x!q.u8<scale=0.5, zp=10>>
        %w.q = const dense<[3, -2]> : tensor<2x1x1x1x!q.i8<axis=0, scales=[0.25, 0.125], zps=[0, 0]>>
        %c.bias = const dense<[-25, 13]> : tensor<2x!q.i32<axis=0, scales=[0.125, 0.0625], zps=[0, 0]>>
        %0 = q.qconv2d(%x.q, %w.q, %c.bias) : tensor<1x2x2x2x!q.i32<axis=1, scales=[0.125, 0.0625], zps=[0, 0]>>
        %c.q = q.requantize(%0) {multiplier = [1342177280, 1342177280], shift = [-1, 0]} : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %r.q = q.relu(%c.q) : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %r.dq = q.dequantize(%r.q) : tensor<1x2x2x2xf32>
        return %r.dq
      }
      """;

  @Test
  void convAndReluBecomeIntegerOps() {
    Graph g = IrParser.parse(FAKE_QUANT, "fq.cir", Dialects.standard(), Map.of());
    Graph before = g.copy();
    var pass = PassRegistry.standard().create("lower-to-integer", Map.of());
    var ctx = new PassContext(pass, Dialects.standard());
    assertTrue(pass.run(g, ctx));
    assertEquals(2, ctx.statistic("ops-lowered"));
    assertEquals(List.of(), Verifier.verify(g));
    assertEquals(INTEGER, IrPrinter.toText(g, PrintOptions.defaults()));
    // integer and fake-quantized float agree exactly here (no rounding ties, float arithmetic exact)
    try (var it = Interpreter.withThreads(1)) {
      for (float[] x : new float[][] {{0, 1, -2, 3.5f}, {-5, 5, 0.25f, -0.75f}, {100, -100, 2, 1}}) {
        var feed = Map.of("x", Tensor.ofFloats(new int[] {1, 1, 2, 2}, x));
        assertTrue(it.run(before, feed).get("r.dq").contentEquals(it.run(g, feed).get("r.dq")));
      }
    }
  }

  private static final String FUSED = """
      graph @g(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
        %x.q = q.quantize(%x) : tensor<1x1x2x2x!q.u8<scale=0.5, zp=10>>
        %x.dq = q.dequantize(%x.q) : tensor<1x1x2x2xf32>
        %w.q = const dense<[3, -2]> : tensor<2x1x1x1x!q.i8<axis=0, scales=[0.25, 0.125], zps=[0, 0]>>
        %w.dq = q.dequantize(%w.q) : tensor<2x1x1x1xf32>
        %c = graph.fused_conv2d(%x.dq, %w.dq) {activation = "relu6"} : tensor<1x2x2x2xf32>
        %c.q = q.quantize(%c) : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %c.dq = q.dequantize(%c.q) : tensor<1x2x2x2xf32>
        return %c.dq
      }
      """;

  // relu6 in codes of the result: Q(0) = 128, Q(6) = 128 + 60 = 188
  private static final String FUSED_INTEGER = """
      graph @g(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
        %x.q = q.quantize(%x) : tensor<1x1x2x2x!q.u8<scale=0.5, zp=10>>
        %w.q = const dense<[3, -2]> : tensor<2x1x1x1x!q.i8<axis=0, scales=[0.25, 0.125], zps=[0, 0]>>
        %c.bias = const dense<[-30, 20]> : tensor<2x!q.i32<axis=0, scales=[0.125, 0.0625], zps=[0, 0]>>
        %0 = q.qconv2d(%x.q, %w.q, %c.bias) : tensor<1x2x2x2x!q.i32<axis=1, scales=[0.125, 0.0625], zps=[0, 0]>>
        %c.q = q.requantize(%0) {max = 188, min = 128, multiplier = [1342177280, 1342177280], shift = [-1, 0]} : tensor<1x2x2x2x!q.u8<scale=0.1, zp=128>>
        %c.dq = q.dequantize(%c.q) : tensor<1x2x2x2xf32>
        return %c.dq
      }
      """;

  @Test
  void aFusedRelu6BecomesTheClampOfTheRequantize() {
    Graph g = IrParser.parse(FUSED, "fused.cir", Dialects.standard(), Map.of());
    Graph before = g.copy();
    assertEquals(1, dev.cimc.ir.quant.integer.LowerToInteger.apply(g, Dialects.standard()).lowered());
    assertEquals(List.of(), Verifier.verify(g));
    assertEquals(FUSED_INTEGER, IrPrinter.toText(g, PrintOptions.defaults()));
    try (var it = Interpreter.withThreads(1)) {
      for (float[] x : new float[][] {{0, 1, -2, 3.5f}, {-5, 5, 0.25f, -0.75f}, {100, -100, 20, 1}}) {
        var feed = Map.of("x", Tensor.ofFloats(new int[] {1, 1, 2, 2}, x));
        assertTrue(it.run(before, feed).get("c.dq").contentEquals(it.run(g, feed).get("c.dq")));
      }
    }
  }
}
