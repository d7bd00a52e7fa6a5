package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden files {@code text/golden/graph.<op>.cir} of the elementwise, activation, normalization and
 * reduction ops are exactly what the printer writes for the graphs built here.
 */
class ElementwiseGoldenTextTest {
  private static final Map<String, Consumer<GraphBuilder>> GRAPHS = new LinkedHashMap<>();

  private static Attributes attrs(Object... kv) {
    return Attributes.of(kv);
  }

  private static void unary(String op) {
    GRAPHS.put(op, b -> b.output(b.op("graph." + op, b.input("x", TensorType.f32(2, 3)))));
  }

  static {
    GRAPHS.put("add", b -> {
      Value x = b.op("graph.add", b.input("a", TensorType.f32(2, 3)), b.input("b", TensorType.f32(3)));
      Value i = b.input("i", TensorType.of(ElementType.I8, 4));
      b.output(x, b.op("graph.add", i, b.input("j", TensorType.of(ElementType.I8))));
    });
    GRAPHS.put("sub", b -> b.output(b.op("graph.sub", b.input("a", TensorType.f32(2, 1)), b.input("b", TensorType.f32(3)))));
    GRAPHS.put("mul", b -> {
      Value x = b.input("x", TensorType.f32(3, 2));
      b.output(b.op("graph.mul", x, b.constant("w", Tensor.ofFloats(new int[] {2}, 0.5f, -2f))));
    });
    GRAPHS.put("div", b -> b.output(b.op("graph.div", b.input("a", TensorType.of(ElementType.I32, 4)),
        b.input("b", TensorType.of(ElementType.I32, 4)))));
    GRAPHS.put("pow", b -> {
      Value x = b.input("x", TensorType.f32(3));
      b.output(b.op("graph.pow", x, b.input("e", TensorType.of(ElementType.I64, 3))),
          b.op("graph.pow", x, b.input("s", TensorType.f32())));
    });
    GRAPHS.put("min", b -> b.output(b.op("graph.min", Attributes.EMPTY, b.input("a", TensorType.f32(2, 1)),
        b.input("b", TensorType.f32(3)), b.input("c", TensorType.f32()))));
    GRAPHS.put("max", b -> {
      Value a = b.input("a", TensorType.of(ElementType.U8, 4));
      b.output(b.op("graph.max", a, b.input("b", TensorType.of(ElementType.U8, 4))), b.op("graph.max", Attributes.EMPTY, a));
    });
    GRAPHS.put("abs", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      b.output(b.op("graph.abs", x), b.op("graph.abs", b.input("i", TensorType.of(ElementType.I16, 5))));
    });
    GRAPHS.put("neg", b -> b.output(b.op("graph.neg", b.input("x", TensorType.of(ElementType.F16, 8)))));
    for (String op : List.of("sqrt", "exp", "log", "reciprocal", "erf", "sigmoid", "tanh", "hard_swish")) {
      unary(op);
    }
    GRAPHS.put("identity", b -> b.output(b.op("graph.identity", b.input("x", TensorType.f32(2)))));
    GRAPHS.put("relu", b -> {
      Value x = b.input("x", TensorType.f32(1, 16, 8, 8));
      b.output(b.op("graph.relu", x), b.op("graph.relu", b.input("i", TensorType.of(ElementType.I32, 4))));
    });
    GRAPHS.put("leaky_relu", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      b.output(b.op("graph.leaky_relu", x), b.op("graph.leaky_relu", attrs("alpha", Attribute.of(0.1)), x));
    });
    GRAPHS.put("prelu", b -> b.output(b.op("graph.prelu", b.input("x", TensorType.f32(1, 3, 4, 4)),
        b.input("slope", TensorType.f32(3, 1, 1)))));
    GRAPHS.put("clip", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      b.output(b.op("graph.clip", attrs("min", Attribute.of(0.0), "max", Attribute.of(6.0)), x),
          b.op("graph.clip", attrs("min", Attribute.of(-1.0)), x),
          b.op("graph.clip", attrs("max", Attribute.of(100.0)), b.input("q", TensorType.of(ElementType.I8, 3))));
    });
    GRAPHS.put("hard_sigmoid", b -> {
      Value x = b.input("x", TensorType.f32(5));
      b.output(b.op("graph.hard_sigmoid", x),
          b.op("graph.hard_sigmoid", attrs("alpha", Attribute.of(0.25), "beta", Attribute.of(0.4)), x));
    });
    GRAPHS.put("gelu", b -> {
      Value x = b.input("x", TensorType.f32(2, 768));
      b.output(b.op("graph.gelu", x), b.op("graph.gelu", attrs("approximate", Attribute.of("tanh")), x));
    });
    GRAPHS.put("softmax", b -> {
      Value x = b.input("x", TensorType.f32(2, 10));
      b.output(b.op("graph.softmax", x), b.op("graph.softmax", attrs("axis", Attribute.of(0L)), x));
    });
    GRAPHS.put("log_softmax", b -> b.output(b.op("graph.log_softmax", attrs("axis", Attribute.of(-2L)),
        b.input("x", TensorType.f32(2, 10, 3)))));
    GRAPHS.put("batch_norm", b -> {
      Value x = b.input("x", TensorType.f32(1, 3, 4, 4));
      Value[] p = new Value[4];
      String[] names = {"scale", "bias", "mean", "var"};
      for (int i = 0; i < 4; i++) {
        p[i] = b.input(names[i], TensorType.f32(3));
      }
      b.output(b.op("graph.batch_norm", attrs("epsilon", Attribute.of(1e-3)), x, p[0], p[1], p[2], p[3]));
    });
    GRAPHS.put("layer_norm", b -> {
      Value x = b.input("x", TensorType.f32(2, 5, 8));
      Value g = b.input("gamma", TensorType.f32(8));
      b.output(b.op("graph.layer_norm", x, g, b.input("beta", TensorType.f32(8))),
          b.op("graph.layer_norm", attrs("axis", Attribute.of(1L), "epsilon", Attribute.of(1e-6)), x,
              b.input("g2", TensorType.f32(5, 8))));
    });
    GRAPHS.put("instance_norm", b -> b.output(b.op("graph.instance_norm", attrs("epsilon", Attribute.of(1e-5)),
        b.input("x", TensorType.f32(2, 3, 5, 5)), b.input("scale", TensorType.f32(3)), b.input("bias", TensorType.f32(3)))));
    GRAPHS.put("reduce_sum", b -> {
      Value x = b.input("x", TensorType.f32(3, 4, 5));
      b.output(b.op("graph.reduce_sum", attrs("axes", Attribute.ints(1L), "keepdims", Attribute.of(0L)), x),
          b.op("graph.reduce_sum", attrs("axes", Attribute.ints(new long[0]), "noop_with_empty_axes", Attribute.of(1L)), x));
    });
    GRAPHS.put("reduce_mean", b -> {
      Value x = b.input("x", TensorType.f32(1, 16, 7, 7));
      b.output(b.op("graph.reduce_mean", attrs("axes", Attribute.ints(-2L, -1L)), x), b.op("graph.reduce_mean", x));
    });
    GRAPHS.put("reduce_max", b -> {
      Value x = b.input("x", TensorType.of(ElementType.I64, 4, 6));
      b.output(b.op("graph.reduce_max", attrs("axes", Attribute.ints(0L)), x),
          b.op("graph.reduce_max", attrs("axes", Attribute.ints(1L), "keepdims", Attribute.of(0L)),
              b.input("m", TensorType.of(ElementType.BOOL, 4, 2))));
    });
  }

  private static String print(String op) {
    var b = new GraphBuilder(op, Dialects.standard());
    GRAPHS.get(op).accept(b);
    Graph g = b.build();
    return IrPrinter.toText(g, PrintOptions.defaults());
  }

  private static String golden(String op) throws IOException {
    try (InputStream in = ElementwiseGoldenTextTest.class.getResourceAsStream("/text/golden/graph." + op + ".cir")) {
      assertNotNull(in, "missing golden file text/golden/graph." + op + ".cir");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @TestFactory
  Stream<DynamicTest> goldenFilesMatchThePrinter() {
    return GRAPHS.keySet().stream().map(op -> DynamicTest.dynamicTest("graph." + op, () ->
        assertEquals(golden(op), print(op))));
  }

  @Test
  void everyOpOfTheseFamiliesHasAGoldenGraph() {
    var ops = new ArrayList<OpDef>();
    ops.addAll(ElementwiseOps.defs());
    ops.addAll(ActivationOps.defs());
    ops.addAll(NormOps.defs());
    ops.addAll(ReduceOps.defs());
    for (OpDef op : ops) {
      assertTrue(GRAPHS.containsKey(op.name()), "no golden graph for " + op.fullName());
    }
    assertEquals(ops.size(), GRAPHS.size());
  }

  /** Prints every golden graph (to review and refresh the files by hand). */
  public static void main(String[] args) {
    for (String op : GRAPHS.keySet()) {
      System.out.println("==== graph." + op + ".cir");
      System.out.print(print(op));
    }
  }
}
