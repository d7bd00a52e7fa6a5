package dev.cimc.ir.quant.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.dialect.q.QDialect;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.config.ActivationSpec;
import dev.cimc.ir.quant.config.LayerMatch;
import dev.cimc.ir.quant.config.LayerRule;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.WeightSpec;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The report on a graph small enough to compute by hand, and on a quantized conv net before and after lowering. */
class QuantReportTest {
  private static final OpRegistry R = Dialects.standard();

  /** Samples given as a list (one map per sample). */
  static CalibrationData samples(List<Map<String, Tensor>> list) {
    return new CalibrationData() {
      @Override
      public int size() {
        return list.size();
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        return list.get(i);
      }

      @Override
      public List<String> warnings() {
        return List.of();
      }
    };
  }

  /** y = relu(x) in float, and by hand with y quantized to u8 at scale 0.5, zero point 0. */
  @Test
  void sqnrCosineAndErrorByHand() {
    var fb = new GraphBuilder("f", R);
    Value x = fb.input("x", TensorType.f32(1, 4));
    fb.output(fb.named("y", "graph.relu", Attributes.EMPTY, x));
    Graph f = fb.build();

    var qb = new GraphBuilder("q", R);
    Value qx = qb.input("x", TensorType.f32(1, 4));
    Value r = qb.named("y.f", "graph.relu", Attributes.EMPTY, qx);
    TensorType codes = new TensorType(ElementType.U8, dev.cimc.ir.type.Shape.of(1, 4), QuantParams.perTensor(0.5, 0));
    Value yq = qb.node(QDialect.QUANTIZE, List.of(r), Attributes.EMPTY, List.of(codes), List.of("y.q")).result();
    qb.output(qb.node(QDialect.DEQUANTIZE, List.of(yq), Attributes.EMPTY, List.of(TensorType.f32(1, 4)),
        List.of("y")).result());
    Graph q = qb.build();

    // x = [0.2, 0.4, 1.0, 2.6] → codes [0, 1, 2, 5] → [0, 0.5, 1.0, 2.5]: errors 0.2, −0.1, 0, 0.1
    // and x = [−1, 0.25, 0.75, 3] → relu [0, 0.25, 0.75, 3] → codes [0, 0, 2, 6] (half to even) → errors 0, 0.25, −0.25, 0
    var data = samples(List.of(Map.of("x", Tensor.ofFloats(new int[] {1, 4}, 0.2f, 0.4f, 1.0f, 2.6f)),
        Map.of("x", Tensor.ofFloats(new int[] {1, 4}, -1f, 0.25f, 0.75f, 3f))));
    QuantReport rep = QuantReport.measure(f, q, data, QuantReport.Settings.defaults().withThreads(1)
        .withLabels(new long[] {3, 2}));
    double signal = 0.04 + 0.16 + 1 + 6.76 + 0 + 0.0625 + 0.5625 + 9;
    double noise = 0.04 + 0.01 + 0 + 0.01 + 0 + 0.0625 + 0.0625 + 0;
    double sqnr = 10 * Math.log10(signal / noise);
    double cross = 0 + 0.2 + 1 + 6.5 + 0 + 0 + 0.75 + 9;
    double approx = 0 + 0.25 + 1 + 6.25 + 0 + 0 + 1 + 9;
    assertEquals(2, rep.samples());
    assertEquals(sqnr, rep.outputSqnrDb(), 1e-4 * sqnr);
    assertEquals(cross / Math.sqrt(signal * approx), rep.cosine(), 1e-6);
    assertEquals(0.25, rep.maxAbsError(), 1e-6);
    assertEquals(1, rep.layers().size());
    LayerReport l = rep.layers().get(0);
    assertEquals("y", l.name());
    assertEquals("graph.relu", l.op());
    assertNull(l.weightScheme());
    assertEquals("uint8 sym", l.activationScheme());
    assertEquals(8, l.activationBits());
    assertEquals(0.5, l.outputScale());
    assertEquals(sqnr, l.sqnrDb(), 1e-4 * sqnr);
    // labels 3 and 2: both graphs pick class 3 on both samples
    assertEquals(new QuantReport.Accuracy(2, 1, 1, 2), rep.accuracy());
    assertEquals("""
        quantization report: 2 samples
        layer  op    weight  w scale min..max  activation  out scale  SQNR dB
        y      relu  -       -                 uint8 sym   5.000e-01    19.78
        output: SQNR 19.78 dB, cosine 0.994730, max |error| 2.500e-01
        top-1: float 50.00% (1/2), quantized 50.00% (1/2), agreement 100.00%
        """, rep.table());
    assertEquals(19.78, Math.round(sqnr * 100) / 100.0); // the table's figure, from the sums above

    String wrong = assertThrows(CimcException.class, () -> QuantReport.measure(f, q, data,
        QuantReport.Settings.defaults().withLabels(new long[] {1, 2, 3}))).render();
    assertEquals("error: the evaluation data has 2 rows but 3 labels\nhint: give one label per row of the first output",
        wrong);
  }

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

  static Graph convNet() {
    var rng = new SplittableRandom(4);
    var b = new GraphBuilder("net", R);
    Value x = b.input("x", TensorType.f32(1, 3, 6, 6));
    Attributes pad = Attributes.of("pads", Attribute.ints(1, 1, 1, 1));
    Value c1 = b.named("c1", "graph.conv2d", pad, x, b.constant("w1", random(rng, 0.3, 4, 3, 3, 3)),
        b.constant("b1", random(rng, 0.1, 4)));
    Value r1 = b.named("r1", "graph.relu", Attributes.EMPTY, c1);
    Value c2 = b.named("c2", "graph.conv2d", pad, r1, b.constant("w2", random(rng, 0.3, 4, 4, 3, 3)));
    Value s = b.named("s", "graph.add", Attributes.EMPTY, c2, r1);
    Value gp = b.named("gp", "graph.global_average_pool", Attributes.EMPTY, s);
    Value f = b.named("f", "graph.reshape", Attributes.of("shape", Attribute.ints(1, 4)), gp);
    b.output(b.named("fc", "graph.gemm", Attributes.EMPTY, f, b.constant("wf", random(rng, 0.4, 4, 5))));
    return b.build();
  }

  @Test
  void mixedPrecisionNetBeforeAndAfterLowering() {
    Graph g = convNet();
    QuantConfig cfg = QuantConfig.of(List.of(
        LayerRule.quantize(LayerMatch.name("c2"), new WeightSpec(3, null, false, null, null), ActivationSpec.bits(6)),
        LayerRule.keepFloat(LayerMatch.name("fc"))));
    var cal = Calibrator.calibrate(g, CalibrationData.random(g, 16, 1), Calibrator.Settings.defaults().withThreads(1),
        Calibrator.Progress.NONE);
    QuantPlan plan = MixedPrecision.resolve(g, cfg).applyTo(cal.toPlan(QuantPlan.defaults()));
    Graph fq = g.copy();
    Quantize.apply(fq, plan, R);
    Graph in = fq.copy();
    LowerToInteger.apply(in, R);
    var data = CalibrationData.random(g, 6, 9);
    var settings = QuantReport.Settings.defaults().withPlan(plan).withThreads(1);
    QuantReport a = QuantReport.measure(g, fq, data, settings);
    QuantReport b = QuantReport.measure(g, in, data, settings);
    assertEquals(List.of("c1", "r1", "c2", "s", "gp", "fc"), a.layers().stream().map(LayerReport::name).toList());
    assertEquals(a.layers().stream().map(LayerReport::name).toList(),
        b.layers().stream().map(LayerReport::name).toList());
    for (QuantReport rep : List.of(a, b)) {
      LayerReport c1 = rep.layers().get(0);
      assertEquals("int8 sym per-channel", c1.weightScheme());
      QuantParams w1 = fq.value("w1.q").type().quant();
      assertEquals(java.util.Arrays.stream(w1.scales()).min().orElseThrow(), c1.weightScaleMin());
      assertEquals(java.util.Arrays.stream(w1.scales()).max().orElseThrow(), c1.weightScaleMax());
      assertEquals(fq.value("c1.q").type().quant().scale(0), c1.outputScale());
      assertEquals("uint8 asym", c1.activationScheme());
      LayerReport c2 = rep.layers().get(2);
      assertEquals("int3 sym per-tensor", c2.weightScheme());
      assertEquals(3, c2.weightBits());
      assertEquals(c2.weightScaleMin(), c2.weightScaleMax());
      assertEquals(6, c2.activationBits());
      LayerReport fc = rep.layers().get(5);
      assertEquals("float", fc.weightScheme());
      assertEquals("float", fc.activationScheme());
      assertTrue(Double.isNaN(fc.outputScale()));
      // W8A8 on the first conv is accurate; every later layer sees the 3-bit conv's error
      assertTrue(c1.sqnrDb() > 30, rep.table());
      assertTrue(c2.sqnrDb() < c1.sqnrDb(), rep.table());
      assertTrue(fc.sqnrDb() > 0 && Double.isFinite(fc.sqnrDb()), rep.table());
      assertTrue(rep.cosine() > 0.9 && rep.cosine() <= 1 + 1e-12, rep.table());
      assertEquals(fc.sqnrDb(), rep.outputSqnrDb(), 1e-9, "fc is the only output");
    }
    // the integer graph computes what fake quantization does, within a code here and there
    for (int i = 0; i < a.layers().size(); i++) {
      assertEquals(a.layers().get(i).sqnrDb(), b.layers().get(i).sqnrDb(), 1.0, a.layers().get(i).name());
    }
    assertEquals(a.table(), QuantReport.measure(g, fq, data, settings).table(), "deterministic");
    assertEquals(QuantScheme.weights(8, 0), plan.weightScheme("w1"));
  }
}
