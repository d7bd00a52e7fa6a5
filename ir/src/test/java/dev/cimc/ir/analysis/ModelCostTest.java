package dev.cimc.ir.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import org.junit.jupiter.api.Test;

class ModelCostTest {
  private static Value zeros(GraphBuilder b, String name, int... dims) {
    return b.constant(name, Tensor.zeros(TensorType.f32(dims)));
  }

  @Test
  void countsWeightsAndMultiplyAccumulatesOfEachLayer() {
    var b = new GraphBuilder("net", Dialects.standard());
    Value x = b.input("x", TensorType.f32(1, 3, 8, 8));
    // conv 3→4, 3×3, pad 1: 4·3·9 + 4 parameters, 1·4·8·8 outputs × 27 MACs
    Value c = b.op("graph.conv2d", Attributes.of("pads", Attribute.ints(1, 1, 1, 1)), x, zeros(b, "w", 4, 3, 3, 3),
        zeros(b, "cb", 4));
    // batch norm: scale and shift count, running statistics do not
    Value bn = b.op("graph.batch_norm", c, zeros(b, "g", 4), zeros(b, "beta", 4), zeros(b, "m", 4), zeros(b, "v", 4));
    Value f = b.op("graph.flatten", bn);
    // gemm 256 → 10 with trans_b: 2560 + 10 parameters, 2560 MACs
    Value fc = b.op("graph.gemm", Attributes.of("trans_b", Attribute.of(1L)), f, zeros(b, "fw", 10, 256),
        zeros(b, "fb", 10));
    // matmul by a constant and a bias add (a linear layer): 10·5 + 5 parameters, 50 MACs
    Value shared = zeros(b, "lw", 10, 5);
    Value lin = b.op("graph.add", b.op("graph.matmul", fc, shared), zeros(b, "lb", 5));
    // the same weight again counts no new parameters; an activation product counts MACs only
    Value again = b.op("graph.matmul", fc, shared);
    Value outer = b.op("graph.matmul", b.op("graph.reshape", Attributes.of("shape", Attribute.ints(5, 1)), lin),
        b.op("graph.reshape", Attributes.of("shape", Attribute.ints(1, 5)), again));
    b.output(outer);
    ModelCost cost = ModelCost.of(b.build());
    assertEquals(112 + 8 + 2570 + 55, cost.parameters());
    assertEquals(256L * 27 + 2560 + 50 + 50 + 25, cost.macs());
    assertTrue(cost.exact());
    assertEquals(7, cost.layers().size());
    assertEquals(new ModelCost.LayerCost(c.name(), "graph.conv2d", 112, 256L * 27), cost.layers().get(0));
  }

  @Test
  void dynamicShapesMakeTheCountInexact() {
    var b = new GraphBuilder("dyn", Dialects.standard());
    Value x = b.input("x", new TensorType(dev.cimc.ir.type.ElementType.F32, Shape.of(Shape.DYNAMIC, 4), null));
    b.output(b.op("graph.matmul", x, zeros(b, "w", 4, 2)));
    ModelCost cost = ModelCost.of(b.build());
    assertEquals(8, cost.parameters());
    assertEquals(0, cost.macs());
    assertFalse(cost.exact());
  }
}
