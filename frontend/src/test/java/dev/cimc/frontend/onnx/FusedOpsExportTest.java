package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fused ops export as their linear op and activation, and read back to the same outputs. */
class FusedOpsExportTest {
  private static Tensor random(Random r, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.ofFloats(dims, v);
  }

  @Test
  void everyActivationRoundTrips() {
    var r = new Random(1);
    var b = new GraphBuilder("fused", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 2, 5, 5));
    Value v = b.input("v", TensorType.f32(3, 4));
    Value w = b.constant("w", random(r, 4, 1, 3, 3));
    Value gw = b.constant("gw", random(r, 5, 4));
    Value gc = b.constant("gc", random(r, 5));
    Attributes conv = Attributes.of("group", Attribute.of(2L), "pads", Attribute.ints(1, 1, 1, 1));
    var outs = new ArrayList<Value>();
    for (Attributes act : List.of(Attributes.of("activation", Attribute.of("relu6")),
        Attributes.of("activation", Attribute.of("clip"), "max", Attribute.of(0.5)),
        Attributes.of("activation", Attribute.of("leaky_relu"), "slope", Attribute.of(0.2)),
        Attributes.of("activation", Attribute.of("none")))) {
      Attributes a = conv;
      for (var e : act.entries()) {
        a = a.with(e.getKey(), e.getValue());
      }
      outs.add(b.op("graph.fused_conv2d", a, x, w));
    }
    outs.add(b.op("graph.fused_gemm", Attributes.of("activation", Attribute.of("sigmoid"), "trans_b",
        Attribute.of(1L)), v, gw, gc));
    outs.add(b.op("graph.fused_add", Attributes.of("activation", Attribute.of("hard_swish")), v, v));
    outs.add(b.op("graph.fused_add", Attributes.of("activation", Attribute.of("relu")), v, v));
    b.output(outs.toArray(new Value[0]));
    Graph g = b.build();
    Graph back = OnnxImporter.importModel(OnnxExporter.toBytes(g), "fused.onnx", ImportOptions.defaults());
    Map<String, Tensor> in = Map.of("x", random(r, 1, 2, 5, 5), "v", random(r, 3, 4));
    try (var it = Interpreter.withThreads(1)) {
      var expected = it.run(g, in);
      var actual = it.run(back, in);
      assertEquals(g.outputs().size(), back.outputs().size());
      for (int i = 0; i < g.outputs().size(); i++) {
        Tensor e = expected.get(g.output(i).name());
        Tensor a = actual.get(back.output(i).name());
        for (int k = 0; k < e.size(); k++) {
          assertEquals(e.getDouble(k), a.getDouble(k), 1e-6, "output " + i + " element " + k);
        }
      }
    }
    assertTrue(ExportForms.of("graph.fused_conv2d") != null);
  }
}
