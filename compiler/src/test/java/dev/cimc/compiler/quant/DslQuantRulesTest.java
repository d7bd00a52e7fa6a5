package dev.cimc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.compiler.model.LoadedModel;
import dev.cimc.compiler.model.ModelLoader;
import dev.cimc.frontend.dsl.LayerHints;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassPipeline;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.config.MixedPrecision;
import dev.cimc.ir.quant.config.PrecisionAssignment;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DSL {@code @quant} annotations reach the quantizer as mixed-precision rules, through the graph passes. */
class DslQuantRulesTest {
  private static final OpRegistry R = Dialects.standard();
  private static final Path KWS = Path.of("../examples/dsl/kws_dscnn.cim");

  @Test
  void kwsBlocksGetFourBitWeightsAfterO2AndQuantization() {
    LoadedModel m = ModelLoader.loadModel(KWS, R, ModelLoader.Options.defaults());
    assertFalse(m.hints().isEmpty());
    Graph g = m.graph();
    QuantConfig rules = m.quantRules(); // before the passes: fusion replaces the hinted nodes
    PassRegistry passes = PassRegistry.standard();
    PassPipeline o2 = Pipelines.graphLevel(Pipelines.forLevel(OptLevel.fromText("O2").orElseThrow(), passes));
    new PassManager(o2, PassManager.Options.defaults(), R).run(g);

    // in graph order: the stem conv, 4 × (depthwise, pointwise) convs in the blocks, the classifier gemm
    var weights = new java.util.ArrayList<String>();
    for (Node n = g.first(); n != null; n = n.next()) {
      if (MixedPrecision.weight(n) != null) {
        weights.add(MixedPrecision.weight(n).name());
      }
    }
    assertEquals(10, weights.size(), weights.toString());

    PrecisionAssignment a = MixedPrecision.resolve(g, rules);
    assertEquals(List.of(), a.warnings(), "every rule finds its layer after batch-norm folding");
    var settings = a.calibration(Calibrator.Settings.defaults().withThreads(1));
    var cal = Calibrator.calibrate(g, CalibrationData.random(g, 2, 1), settings, Calibrator.Progress.NONE);
    QuantPlan plan = a.applyTo(cal.toPlan(QuantPlan.defaults()));
    Quantize.apply(g, plan, R);
    LowerToInteger.apply(g, R);
    assertEquals(List.of(), Verifier.verify(g));

    for (int i = 0; i < weights.size(); i++) {
      TensorType w = g.value(weights.get(i) + ".q").type();
      boolean block = i >= 1 && i <= 8;
      assertEquals(block ? ElementType.I4 : ElementType.I8, w.elementType(), weights.get(i));
      assertFalse(w.quant().isPerTensor(), weights.get(i));
      assertTrue(g.value(weights.get(i) + ".q").users().get(0).op().fullName().matches("q\\.q(conv2d|gemm)"),
          "lowered to integer: " + weights.get(i));
    }
  }

  @Test
  void hintsBecomeExactNameRules() {
    LoadedModel m = ModelLoader.loadModel(KWS, R, ModelLoader.Options.defaults());
    QuantConfig c = m.quantRules();
    // one rule per hinted node, except batch norms and activations that fold or fuse into their layer
    assertEquals(m.hints().entrySet().stream().filter(e -> (e.getValue().weightBits() != null
        || e.getValue().activationBits() != null || e.getValue().granularity() != null)
        && !DslQuantRules.foldsIntoItsLayer(e.getKey())).count(), c.layers().size());
    assertEquals(9, c.layers().size(), "the stem conv and the 8 block convs");
    for (var r : c.layers()) {
      assertTrue(m.graph().value(r.match().name()) != null, r.match().name());
    }
    assertTrue(ModelLoader.loadModel(Path.of("../tests/src/test/resources/models/digits_cnn.onnx"), R,
        ModelLoader.Options.defaults()).hints().isEmpty());
  }

  @Test
  void bitsOutsideTwoToEightAreAnErrorAtTheLayer() {
    LoadedModel m = ModelLoader.loadModel(KWS, R, ModelLoader.Options.defaults());
    Node first = m.hints().keySet().iterator().next();
    var bad = new LoadedModel(m.graph(), Map.of(first, new LayerHints(1, null, null, null, false)));
    String msg = assertThrows(CimcException.class, bad::quantRules).render();
    assertEquals(first.location() + ": error: `@quant(w=1)` on layer %" + first.result().name()
        + ": quantization takes 2 to 8 bits\nhint: give w between 2 and 8", msg);
  }
}
