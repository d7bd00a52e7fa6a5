package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.fakequant.RandomCalibration;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * quantize and lower-to-integer on fused ops (what -O2's {@code fuse} leaves): conv/gemm/add fused with
 * relu, relu6 or clip lower to one integer product whose requantize clamps; leaky_relu, hard_swish and
 * sigmoid are split and end as a q.lut. With power-of-two scales the float arithmetic of fake quantization
 * is exact, so the integer graph must agree with it bit for bit; with general scales within 1 LSB.
 */
class FusedQuantTest {
  private static final OpRegistry R = Dialects.standard();

  /** conv+relu → conv+relu6 → add+relu → conv+leaky → conv+hard_swish → pool → gemm+sigmoid, gemm+clip. */
  static Graph fusedNet(long seed) {
    var rng = new SplittableRandom(seed);
    var b = new GraphBuilder("fusednet", R);
    Value x = b.input("x", TensorType.f32(2, 3, 8, 8));
    Attributes pad1 = Attributes.of("pads", Attribute.ints(1, 1, 1, 1));
    Value c1 = b.named("c1", "graph.conv2d", pad1, x, b.constant("w1", QuantPipelineTest.random(rng, 0.3, 8, 3, 3, 3)),
        b.constant("b1", QuantPipelineTest.random(rng, 0.1, 8)));
    Value r1 = b.named("r1", "graph.relu", Attributes.EMPTY, c1);
    Value c2 = b.named("c2", "graph.conv2d", pad1, r1, b.constant("w2", QuantPipelineTest.random(rng, 0.4, 8, 8, 3, 3)),
        b.constant("b2", QuantPipelineTest.random(rng, 0.1, 8)));
    Value r2 = b.named("r2", "graph.clip", Attributes.of("min", Attribute.of(0.0), "max", Attribute.of(6.0)), c2);
    Value s = b.named("s", "graph.add", Attributes.EMPTY, r2, r1);
    Value r3 = b.named("r3", "graph.relu", Attributes.EMPTY, s);
    Value c3 = b.named("c3", "graph.conv2d", Attributes.EMPTY, r3, b.constant("w3",
        QuantPipelineTest.random(rng, 0.3, 8, 8, 1, 1)));
    Value l3 = b.named("l3", "graph.leaky_relu", Attributes.of("alpha", Attribute.of(0.125)), c3);
    Value c4 = b.named("c4", "graph.conv2d", Attributes.of("group", Attribute.of(8L)), l3, b.constant("w4",
        QuantPipelineTest.random(rng, 0.6, 8, 1, 1, 1)), b.constant("b4", QuantPipelineTest.random(rng, 0.5, 8)));
    Value h4 = b.named("h4", "graph.hard_swish", Attributes.EMPTY, c4);
    Value gp = b.named("gp", "graph.global_average_pool", Attributes.EMPTY, h4);
    Value f = b.named("f", "graph.reshape", Attributes.of("shape", Attribute.ints(2, 8)), gp);
    Value y = b.named("y", "graph.gemm", Attributes.EMPTY, f, b.constant("wf", QuantPipelineTest.random(rng, 0.4, 8, 5)),
        b.constant("bf", QuantPipelineTest.random(rng, 0.1, 5)));
    Value sg = b.named("sg", "graph.sigmoid", Attributes.EMPTY, y);
    Value z = b.named("z", "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), f,
        b.constant("wz", QuantPipelineTest.random(rng, 0.4, 4, 8)));
    Value cz = b.named("cz", "graph.clip", Attributes.of("min", Attribute.of(-0.25), "max", Attribute.of(0.5)), z);
    b.output(sg, cz);
    return b.build();
  }

  static Graph fused(Graph g) {
    Graph f = g.copy();
    new PassManager(PassPipeline.parse("fuse", PassRegistry.standard()), PassManager.Options.defaults(), R).run(f);
    return f;
  }

  static TreeMap<String, Long> ops(Graph g) {
    var m = new TreeMap<String, Long>();
    for (Node n = g.first(); n != null; n = n.next()) {
      m.merge(n.op().fullName(), 1L, Long::sum);
    }
    return m;
  }

  private static QuantPlan powerOfTwoPlan() {
    return new QuantPlan(new QuantScheme(QuantScheme.Kind.AFFINE, 8, false, false, QuantParams.PER_TENSOR, true),
        new QuantScheme(QuantScheme.Kind.AFFINE, 8, true, true, 0, true), Map.of(), Map.of());
  }

  @Test
  void fuseLeavesEveryKindOfFusedOp() {
    var m = ops(fused(fusedNet(1)));
    assertEquals(4L, m.get("graph.fused_conv2d"), m::toString);
    assertEquals(2L, m.get("graph.fused_gemm"), m::toString);
    assertEquals(1L, m.get("graph.fused_add"), m::toString);
    assertEquals(null, m.get("graph.relu"), m::toString);
  }

  @Test
  void fusedOpsLowerToIntegerOpsAndAgreeBitForBitWithPowerOfTwoScales() {
    Graph g = fused(fusedNet(3));
    QuantPlan plan = RandomCalibration.plan(g, powerOfTwoPlan(), 32, 5);
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, plan);
    var m = ops(l.integer());
    assertEquals(new TreeSet<>(List.of("graph.reshape")), QuantPipelineTest.floatOps(l.integer()), m::toString);
    assertEquals(4L, m.get("q.qconv2d"), m::toString);
    assertEquals(2L, m.get("q.qgemm"), m::toString);
    assertEquals(1L, m.get("q.qadd"), m::toString);
    assertEquals(3L, m.get("q.lut"), m::toString); // leaky, hard_swish, sigmoid
    long clamped = 0;
    for (Node n = l.integer().first(); n != null; n = n.next()) {
      if (n.attr("min") != null && (n.op().fullName().equals("q.requantize") || n.op().fullName().equals("q.qadd"))) {
        clamped++;
      }
    }
    assertEquals(4, clamped, "relu, relu6, relu after add, clip"); // c1, c2, s, z
    var rng = new SplittableRandom(9);
    for (int s = 0; s < 8; s++) {
      var feed = new LinkedHashMap<String, Tensor>();
      feed.put("x", QuantPipelineTest.random(rng, 1.5, 2, 3, 8, 8));
      var fq = QuantPipelineTest.run(l.fakeQuant(), feed, 1);
      var in = QuantPipelineTest.run(l.integer(), feed, 2);
      for (String out : List.of("sg", "cz")) {
        assertNotNull(in.get(out), out);
        assertArrayEquals(fq.get(out).floats(), in.get(out).floats(), out + " sample " + s);
      }
    }
  }

  @Test
  void fusedOpsWithGeneralScalesStayWithinOneLsbAndCloseToFloat() {
    Graph plain = fusedNet(4);
    Graph g = fused(plain);
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 64, 7));
    assertEquals(new TreeSet<>(List.of("graph.reshape")), QuantPipelineTest.floatOps(l.integer()));
    double sqnr = QuantPipelineTest.check(g, l, 16, 6);
    assertTrue(sqnr >= 25, "SQNR " + sqnr + " dB");
  }

  @Test
  void clampOfAFusedReluIsTheOutputZeroPoint() {
    Graph g = fused(fusedNet(5));
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 8, 2));
    Node rq = l.integer().value("r1.q").producer();
    assertEquals("q.requantize", rq.op().fullName());
    assertEquals(rq.result().type().quant().zeroPoint(0), rq.intAttr("min"));
    assertEquals(255L, rq.intAttr("max"));
  }

  @Test
  void preimagesOfTheActivationsCoverTheOutputRange() {
    assertArrayEquals(new double[] {-8, 3}, Quantize.preimage("leaky_relu", 0.125, -1, 3), 0);
    // hard_swish: x(x+3)/6 = 2/3 at x = 1; below 0 the range starts at -3
    assertArrayEquals(new double[] {-3, 1}, Quantize.preimage("hard_swish", 0, -0.2, 2.0 / 3), 1e-12);
    assertArrayEquals(new double[] {1, 4}, Quantize.preimage("hard_swish", 0, 2.0 / 3, 4), 1e-12);
    double[] s = Quantize.preimage("sigmoid", 0, 0.5, 0.75);
    assertEquals(0, s[0], 1e-12);
    assertEquals(Math.log(3), s[1], 1e-12);
    assertEquals(null, Quantize.preimage("leaky_relu", 0, -1, 1));
  }

  /** What -O2 makes of conv → relu6 after cross-layer equalization: fused relu, then a per-channel min. */
  @Test
  void perChannelUpperBoundsAfterCleAreIntegerMinOnCodes() {
    var rng = new SplittableRandom(8);
    var b = new GraphBuilder("cle_relu6", R);
    Value x = b.input("x", TensorType.f32(1, 3, 6, 6));
    Value c = b.named("c", "graph.conv2d", Attributes.EMPTY, x, b.constant("w",
        QuantPipelineTest.random(rng, 0.5, 4, 3, 1, 1)));
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, c);
    Value m = b.named("m", "graph.min", Attributes.EMPTY, r, b.constant("upper", Tensor.ofFloats(new int[] {4, 1, 1},
        0.25f, 0.5f, 1.5f, 0.375f)));
    b.output(b.named("y", "graph.global_average_pool", Attributes.EMPTY, m));
    Graph g = fused(b.build());
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, RandomCalibration.plan(g, powerOfTwoPlan(), 16, 3));
    var ops = ops(l.integer());
    assertEquals(new TreeSet<>(), QuantPipelineTest.floatOps(l.integer()), ops::toString);
    assertEquals(1L, ops.get("q.min"), ops::toString);
    for (int s = 0; s < 4; s++) {
      var feed = Map.of("x", QuantPipelineTest.random(rng, 2, 1, 3, 6, 6));
      assertArrayEquals(QuantPipelineTest.run(l.fakeQuant(), feed, 1).get("y").floats(),
          QuantPipelineTest.run(l.integer(), feed, 1).get("y").floats());
    }
  }

  /** A batch norm after a max pool (no pass folds it): mul and add by per-channel constants. */
  @Test
  void aPerChannelScaleBecomesADepthwiseIntegerConvolution() {
    var b = new GraphBuilder("bn_after_pool", R);
    Value x = b.input("x", TensorType.f32(1, 3, 4, 4));
    Value p = b.named("p", "graph.max_pool", Attributes.of("kernel_shape", Attribute.ints(2, 2), "strides",
        Attribute.ints(2, 2)), x);
    Value m = b.named("m", "graph.mul", Attributes.EMPTY, p, b.constant("g", Tensor.ofFloats(new int[] {3, 1, 1},
        37.5f, -2.25f, 0.5f)));
    b.output(b.named("y", "graph.add", Attributes.EMPTY, m, b.constant("beta", Tensor.ofFloats(new int[] {3, 1, 1},
        -4f, 0.5f, 1f))));
    Graph g = b.build();
    QuantPipelineTest.Lowered l = QuantPipelineTest.lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 32, 4));
    var ops = ops(l.integer());
    assertEquals(new TreeSet<>(), QuantPipelineTest.floatOps(l.integer()), ops::toString);
    assertEquals(1L, ops.get("q.qconv2d"), ops::toString);
    double sqnr = QuantPipelineTest.check(g, l, 16, 2);
    assertTrue(sqnr >= 25, "SQNR " + sqnr); // 8-bit per-tensor output over channels scaled 37.5 and 0.5
  }
}
