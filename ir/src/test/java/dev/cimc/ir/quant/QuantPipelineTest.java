package dev.cimc.ir.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.fakequant.RandomCalibration;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The quantize and lower-to-integer passes end to end on small random networks: the integer graph agrees
 * with fake quantization within 1 LSB on ≥ 99.9% of the outputs, runs the same bits on 1 and 2 threads,
 * and stays close to the float graph (SQNR ≥ 30 dB at W8A8).
 */
class QuantPipelineTest {
  private static final OpRegistry R = Dialects.standard();

  static Tensor random(SplittableRandom rng, double scale, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rng.nextDouble(-1, 1) * scale);
    }
    return Tensor.ofFloats(dims, v);
  }

  /** conv → relu → conv (+ residual) → relu → max_pool → conv → global pool → gemm. */
  static Graph convNet(long seed) {
    var rng = new SplittableRandom(seed);
    var b = new GraphBuilder("convnet", R);
    Value x = b.input("x", TensorType.f32(2, 3, 8, 8));
    Attributes pad1 = Attributes.of("pads", Attribute.ints(1, 1, 1, 1));
    Value c1 = b.named("c1", "graph.conv2d", pad1, x, b.constant("w1", random(rng, 0.3, 8, 3, 3, 3)),
        b.constant("b1", random(rng, 0.1, 8)));
    Value r1 = b.named("r1", "graph.relu", Attributes.EMPTY, c1);
    Value c2 = b.named("c2", "graph.conv2d", pad1, r1, b.constant("w2", random(rng, 0.15, 8, 8, 3, 3)),
        b.constant("b2", random(rng, 0.1, 8)));
    Value s = b.named("s", "graph.add", Attributes.EMPTY, c2, r1);
    Value r2 = b.named("r2", "graph.relu", Attributes.EMPTY, s);
    Value p = b.named("p", "graph.max_pool", Attributes.of("kernel_shape", Attribute.ints(2, 2), "strides",
        Attribute.ints(2, 2)), r2);
    Value c3 = b.named("c3", "graph.conv2d", Attributes.of("group", Attribute.of(2L)), p,
        b.constant("w3", random(rng, 0.3, 8, 4, 1, 1)));
    Value gp = b.named("gp", "graph.global_average_pool", Attributes.EMPTY, c3);
    Value f = b.named("f", "graph.reshape", Attributes.of("shape", Attribute.ints(2, 8)), gp);
    Value y = b.named("y", "graph.gemm", Attributes.EMPTY, f, b.constant("wf", random(rng, 0.4, 8, 5)),
        b.constant("bf", random(rng, 0.1, 5)));
    b.output(y);
    return b.build();
  }

  /** One attention block over a [6, 8] sequence, with a gelu MLP, a residual add and a layer norm. */
  static Graph attention(long seed) {
    var rng = new SplittableRandom(seed);
    var b = new GraphBuilder("attention", R);
    Value x = b.input("x", TensorType.f32(6, 8));
    Value q = b.named("q", "graph.matmul", Attributes.EMPTY, x, b.constant("wq", random(rng, 0.3, 8, 8)));
    Value k = b.named("k", "graph.matmul", Attributes.EMPTY, x, b.constant("wk", random(rng, 0.3, 8, 8)));
    Value v = b.named("v", "graph.matmul", Attributes.EMPTY, x, b.constant("wv", random(rng, 0.3, 8, 8)));
    Value kt = b.named("kt", "graph.transpose", Attributes.of("perm", Attribute.ints(1, 0)), k);
    Value scores = b.named("scores", "graph.matmul", Attributes.EMPTY, q, kt);
    Value attn = b.named("attn", "graph.softmax", Attributes.EMPTY, scores);
    Value ctx = b.named("ctx", "graph.matmul", Attributes.EMPTY, attn, v);
    Value h = b.named("h", "graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), ctx,
        b.constant("w1", random(rng, 0.3, 16, 8)), b.constant("b1", random(rng, 0.1, 16)));
    Value gl = b.named("gl", "graph.gelu", Attributes.EMPTY, h);
    Value o = b.named("o", "graph.matmul", Attributes.EMPTY, gl, b.constant("w2", random(rng, 0.25, 16, 8)));
    Value res = b.named("res", "graph.add", Attributes.EMPTY, o, x);
    Value ln = b.named("ln", "graph.layer_norm", Attributes.EMPTY, res, b.constant("gamma", random(rng, 1, 8)),
        b.constant("beta", random(rng, 0.2, 8)));
    Value sg = b.named("sg", "graph.sigmoid", Attributes.EMPTY, ln);
    b.output(sg, ln);
    return b.build();
  }

  /** Multi-head-style attention on a batch: [2, 6, 8] activations, batched act × act products. */
  static Graph batchedAttention(long seed) {
    var rng = new SplittableRandom(seed);
    var b = new GraphBuilder("batched_attention", R);
    Value x = b.input("x", TensorType.f32(2, 6, 8));
    Value q = b.named("q", "graph.matmul", Attributes.EMPTY, x, b.constant("wq", random(rng, 0.3, 8, 8)));
    Value k = b.named("k", "graph.matmul", Attributes.EMPTY, x, b.constant("wk", random(rng, 0.3, 8, 8)));
    Value v = b.named("v", "graph.matmul", Attributes.EMPTY, x, b.constant("wv", random(rng, 0.3, 8, 8)));
    Value kt = b.named("kt", "graph.transpose", Attributes.of("perm", Attribute.ints(0, 2, 1)), k);
    Value attn = b.named("attn", "graph.softmax", Attributes.EMPTY,
        b.named("scores", "graph.matmul", Attributes.EMPTY, q, kt));
    Value ctx = b.named("ctx", "graph.matmul", Attributes.EMPTY, attn, v);
    Value o = b.named("o", "graph.matmul", Attributes.EMPTY, ctx, b.constant("wo", random(rng, 0.3, 8, 8)));
    Value res = b.named("res", "graph.add", Attributes.EMPTY, o, x);
    b.output(b.named("ln", "graph.layer_norm", Attributes.EMPTY, res, b.constant("gamma", random(rng, 1, 8))));
    return b.build();
  }

  record Lowered(Graph fakeQuant, Graph integer) {}

  static Lowered lower(Graph g, QuantPlan plan) {
    Graph fq = g.copy();
    Quantize.apply(fq, plan, R);
    assertEquals(List.of(), Verifier.verify(fq));
    Graph in = fq.copy();
    LowerToInteger.apply(in, R);
    assertEquals(List.of(), Verifier.verify(in), () -> dev.cimc.ir.text.IrPrinter.toText(in,
        dev.cimc.ir.text.PrintOptions.dump()));
    return new Lowered(fq, in);
  }

  static Map<String, Tensor> run(Graph g, Map<String, Tensor> feed, int threads) {
    try (var it = Interpreter.withThreads(threads)) {
      return it.run(g, feed);
    }
  }

  /** Float ops left between the inputs and outputs (besides shape ops). */
  static TreeSet<String> floatOps(Graph g) {
    var s = new TreeSet<String>();
    for (Node n = g.first(); n != null; n = n.next()) {
      if (n.op().dialect().equals("graph")) {
        s.add(n.op().fullName());
      }
    }
    return s;
  }

  /** Checks agreement (≤ 1 LSB on ≥ 99.9%), determinism, and returns the SQNR (dB) against the float graph. */
  static double check(Graph g, Lowered l, int batches, long seed) {
    var rng = new SplittableRandom(seed);
    long total = 0;
    long within = 0;
    double signal = 0;
    double noise = 0;
    for (int s = 0; s < batches; s++) {
      var feed = new LinkedHashMap<String, Tensor>();
      for (Value in : g.inputs()) {
        feed.put(in.name(), random(rng, 1, in.type().shape().dims()));
      }
      var ref = run(g, feed, 1);
      var fq = run(l.fakeQuant(), feed, 1);
      var one = run(l.integer(), feed, 1);
      var two = run(l.integer(), feed, 2);
      var refs = new ArrayList<>(ref.values());
      var fqs = new ArrayList<>(fq.values());
      var ints = new ArrayList<>(one.values());
      var twos = new ArrayList<>(two.values());
      for (int o = 0; o < ints.size(); o++) {
        assertTrue(ints.get(o).contentEquals(twos.get(o)), "1 and 2 threads differ");
        Value out = l.integer().output(o);
        double lsb = out.producer().op() == QDialect.DEQUANTIZE ? out.producer().operand(0).type().quant().scale(0) : 0;
        for (int i = 0; i < ints.get(o).size(); i++) {
          double a = fqs.get(o).getDouble(i);
          double c = ints.get(o).getDouble(i);
          total++;
          if (Math.abs(a - c) <= lsb * 1.0001) {
            within++;
          }
          double r = refs.get(o).getDouble(i);
          signal += r * r;
          noise += (c - r) * (c - r);
        }
      }
    }
    assertTrue(within >= 0.999 * total, within + " of " + total + " outputs within 1 LSB of fake quantization");
    double sqnr = 10 * Math.log10(signal / noise);
    if (Boolean.getBoolean("cimc.quant.report")) {
      System.out.println(g.name() + ": " + within + "/" + total + " within 1 LSB, SQNR " + sqnr + " dB");
    }
    return sqnr;
  }

  @Test
  void convNetLowersToIntegerOpsAndMatchesFakeQuantization() {
    Graph g = convNet(7);
    QuantPlan plan = RandomCalibration.plan(g, QuantPlan.defaults(), 128, 11);
    Lowered l = lower(g, plan);
    assertEquals(new TreeSet<>(List.of("graph.reshape")), floatOps(l.integer()), () ->
        dev.cimc.ir.text.IrPrinter.toText(l.integer(), dev.cimc.ir.text.PrintOptions.dump()));
    double sqnr = check(g, l, 30, 3);
    assertTrue(sqnr >= 30, "SQNR " + sqnr + " dB");
  }

  @Test
  void attentionBlockLowersToIntegerOpsAndMatchesFakeQuantization() {
    Graph g = attention(5);
    QuantPlan plan = RandomCalibration.plan(g, QuantPlan.defaults(), 8, 13);
    Lowered l = lower(g, plan);
    assertEquals(new TreeSet<>(List.of("graph.transpose")), floatOps(l.integer()), () ->
        dev.cimc.ir.text.IrPrinter.toText(l.integer(), dev.cimc.ir.text.PrintOptions.dump()));
    assertTrue(check(g, l, 12, 4) >= 30);
  }

  @Test
  void batchedAttentionLowersToIntegerOpsAndMatchesFakeQuantization() {
    Graph g = batchedAttention(8);
    Lowered l = lower(g, RandomCalibration.plan(g, QuantPlan.defaults(), 32, 17));
    assertEquals(new TreeSet<>(List.of("graph.transpose")), floatOps(l.integer()), () ->
        dev.cimc.ir.text.IrPrinter.toText(l.integer(), dev.cimc.ir.text.PrintOptions.dump()));
    assertTrue(check(g, l, 12, 5) >= 30);
  }

  @Test
  void passesRunFromTheRegistryWithStatistics() {
    Graph g = convNet(9);
    var reg = PassRegistry.standard();
    var quantize = reg.create("quantize", Map.of("calib-samples", "2"));
    var ctx = new dev.cimc.ir.pass.PassContext(quantize, R);
    assertTrue(quantize.run(g, ctx));
    assertEquals(10, ctx.statistic("ops-quantized"));
    assertEquals(0, ctx.statistic("ops-skipped"));
    var lower = reg.create("lower-to-integer", Map.of());
    var lctx = new dev.cimc.ir.pass.PassContext(lower, R);
    assertTrue(lower.run(g, lctx));
    assertEquals(10, lctx.statistic("ops-lowered"));
    assertEquals(0, lctx.statistic("ops-left-in-float"), () -> dev.cimc.ir.text.IrPrinter.toText(g,
        dev.cimc.ir.text.PrintOptions.dump()));
    assertEquals(List.of(), Verifier.verify(g));
  }
}
