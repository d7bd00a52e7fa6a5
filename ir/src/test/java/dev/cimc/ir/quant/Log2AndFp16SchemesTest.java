package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The log2 and fp16 schemes: codes, fake quantization and the integer level, against hand-computed cases. */
class Log2AndFp16SchemesTest {
  private static final OpRegistry R = Dialects.standard();

  @Test
  void log2CodesRoundTheExponentInTheLogDomain() {
    // 4 bits: L = 7 magnitudes, |w| = s · 2^(|c| − 7)
    assertEquals(7, Log2Codes.levels(4));
    assertEquals(6, Log2Codes.encode(0.5, 1, 4)); // 2^-1
    assertEquals(-5, Log2Codes.encode(-0.3, 1, 4)); // 0.3 = 1.2 · 2^-2, 1.2 < √2 → 2^-2
    assertEquals(7, Log2Codes.encode(0.75, 1, 4)); // 1.5 · 2^-1, 1.5 ≥ √2 → 2^0
    assertEquals(7, Log2Codes.encode(1.0, 1, 4));
    assertEquals(1, Log2Codes.encode(0.012, 1, 4)); // 1.536 · 2^-7 → 2^-6, the smallest magnitude
    assertEquals(0, Log2Codes.encode(0.01, 1, 4)); // 1.28 · 2^-7 → 2^-7, below the smallest: 0
    assertEquals(0, Log2Codes.encode(0, 1, 4));
    assertEquals(-5, Log2Codes.encode(-0.6, 2.4, 4)); // 0.25 = 2^-2 exactly
    assertEquals(32, Log2Codes.expand(6));
    assertEquals(-16, Log2Codes.expand(-5));
    assertEquals(0, Log2Codes.expand(0));
    assertEquals(-0.25, Log2Codes.value(-5, 1, 4));
    assertEquals(0.015625, Log2Codes.value(1, 1, 4));
    // 3 bits: magnitudes 1, 1/2, 1/4 of s; 5 bits expand to 2^14 and need i16
    assertEquals(1, Log2Codes.encode(0.2, 1, 3));
    assertEquals(0.25, Log2Codes.value(1, 1, 3));
    assertEquals(ElementType.I8, Log2Codes.expandedType(4));
    assertEquals(ElementType.I16, Log2Codes.expandedType(5));
    assertEquals(16384, Log2Codes.expand(15));
    assertThrows(IllegalArgumentException.class, () -> QuantScheme.log2Weights(6, 0));
  }

  /** x[1×4] · W[4×2] with W per tensor in 4-bit log2 (s = 1). */
  private static Graph log2Gemm() {
    var b = new GraphBuilder("log2_gemm", R);
    Value x = b.input("x", TensorType.f32(1, 4));
    Tensor w = Tensor.ofFloats(new int[] {4, 2}, 0.5f, -0.3f, 0.75f, 1.0f, 0.012f, -0.01f, -0.5f, 0.25f);
    b.output(b.named("y", "graph.gemm", Attributes.EMPTY, x, b.constant("w", w)));
    return b.build();
  }

  private static QuantPlan powerOfTwoActivations() {
    QuantScheme a = new QuantScheme(QuantScheme.Kind.AFFINE, 8, false, false, QuantParams.PER_TENSOR, true);
    return new QuantPlan(a, QuantScheme.weights(8, 0), Map.of(), Map.of())
        .withRange("x", new QuantPlan.Range(-2, 2)).withRange("y", new QuantPlan.Range(-1, 0.9));
  }

  @Test
  void log2WeightsFakeQuantizeToSignedPowersOfTwoAndLowerExactly() {
    Graph g = log2Gemm();
    QuantPlan plan = powerOfTwoActivations().withWeightScheme("w", QuantScheme.log2Weights(4, QuantParams.PER_TENSOR));
    Graph fq = g.copy();
    Quantize.apply(fq, plan, R);
    assertEquals(List.of(), Verifier.verify(fq));
    Tensor x = Tensor.ofFloats(new int[] {1, 4}, 1f, -0.5f, 1.5f, 0.25f);
    Map<String, Tensor> mid;
    Map<String, Tensor> fqOut;
    try (var it = Interpreter.withThreads(1)) {
      var res = it.run(fq, Map.of("x", x), true);
      mid = res.intermediates();
      fqOut = it.run(fq, Map.of("x", x));
    }
    assertArrayEquals(new float[] {0.5f, -0.25f, 1f, 1f, 0.015625f, 0f, -0.5f, 0.25f}, mid.get("w.dq").floats());
    Tensor expanded = mid.get("w.q");
    long[] e = new long[expanded.size()];
    for (int i = 0; i < e.length; i++) {
      e[i] = expanded.getLong(i);
    }
    assertArrayEquals(new long[] {32, -16, 64, 64, 1, 0, -32, 16}, e);
    // x and y have scales 2^-6 and 2^-7, so every product and sum is exact:
    // y0 = 1·0.5 − 0.5·1 + 1.5·0.015625 + 0.25·(−0.5) = −0.1015625, y1 = −0.25 − 0.5 + 0 + 0.0625 = −0.6875
    assertArrayEquals(new float[] {-0.1015625f, -0.6875f}, fqOut.get("y").floats());
    Graph in = fq.copy();
    LowerToInteger.Stats s = LowerToInteger.apply(in, R);
    assertEquals(List.of(), Verifier.verify(in));
    assertEquals(0, s.leftInFloat());
    var ops = FusedQuantTest.ops(in);
    assertEquals(1L, ops.get("q.log2_expand"), ops::toString);
    assertEquals(1L, ops.get("q.qgemm"), ops::toString);
    assertArrayEquals(fqOut.get("y").floats(), Interpreter.runOnce(in, Map.of("x", x)).get("y").floats());
  }

  /** y = x · W + b with x = 1/3, W = [1/3, 3], b = [0, 0.1]. */
  private static Graph fp16Gemm() {
    var b = new GraphBuilder("fp16_gemm", R);
    Value x = b.input("x", TensorType.f32(1, 1));
    b.output(b.named("y", "graph.gemm", Attributes.EMPTY, x,
        b.constant("w", Tensor.ofFloats(new int[] {1, 2}, 1f / 3, 3f)),
        b.constant("b", Tensor.ofFloats(new int[] {2}, 0f, 0.1f))));
    return b.build();
  }

  @Test
  void fp16RoundsOperandsWeightsAndResultToHalfAndStaysHalfAtTheIntegerLevel() {
    Graph g = fp16Gemm();
    QuantPlan plan = QuantPlan.defaults().withWeightScheme("w", QuantScheme.fp16())
        .withActivationScheme("y", QuantScheme.fp16());
    assertEquals(QuantScheme.Kind.FP16, plan.activationScheme("y").kind());
    assertEquals(null, plan.activationParams("y"), "fp16 values have no integer parameters");
    Graph fq = g.copy();
    Quantize.Stats st = Quantize.apply(fq, plan, R);
    assertEquals(List.of(), Verifier.verify(fq));
    assertEquals(1, st.opsQuantized());
    assertEquals(2, st.weightsQuantized()); // w and b stored as f16
    // f16(1/3) = 0.333251953125; f16(0.333251953125²) = 0.111083984375;
    // f16(1/3)·3 + f16(0.1) = 0.999755859375 + 0.0999755859375 → f16 1.099609375
    Tensor x = Tensor.ofFloats(new int[] {1, 1}, 1f / 3);
    float[] want = {0.111083984375f, 1.099609375f};
    assertArrayEquals(want, Interpreter.runOnce(fq, Map.of("x", x)).get("y").floats());
    Graph in = fq.copy();
    LowerToInteger.apply(in, R);
    assertEquals(List.of(), Verifier.verify(in));
    assertTrue(FusedQuantTest.ops(in).get("graph.cast") >= 4, "the f16 casts stay");
    assertArrayEquals(want, Interpreter.runOnce(in, Map.of("x", x)).get("y").floats());
  }

  @Test
  void anIntegerOpReadingAnFp16ResultQuantizesItOverItsRange() {
    var b = new GraphBuilder("mixed", R);
    Value x = b.input("x", TensorType.f32(1, 2));
    Value h = b.named("h", "graph.gemm", Attributes.EMPTY, x, b.constant("w1", Tensor.ofFloats(new int[] {2, 2},
        0.5f, -0.25f, 0.125f, 1f)));
    b.output(b.named("y", "graph.gemm", Attributes.EMPTY, h, b.constant("w2", Tensor.ofFloats(new int[] {2, 2},
        1f, 0.5f, -0.5f, 0.25f))));
    Graph g = b.build();
    QuantPlan plan = QuantPlan.defaults().withRange("x", new QuantPlan.Range(-1, 1))
        .withRange("h", new QuantPlan.Range(-1, 1, QuantScheme.fp16())).withRange("y", new QuantPlan.Range(-2, 2));
    Quantize.apply(g, plan, R);
    LowerToInteger.Stats s = LowerToInteger.apply(g, R);
    assertEquals(List.of(), Verifier.verify(g));
    assertEquals(1, s.lowered(), "the second gemm is integer");
    var ops = FusedQuantTest.ops(g);
    assertEquals(1L, ops.get("graph.gemm"), "the fp16 gemm stays float" + ops);
    assertEquals(1L, ops.get("q.qgemm"), ops::toString);
  }
}
