package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The golden text files of the linalg and pool ops: each must be exactly what the printer makes of the
 * same graph built with GraphBuilder.
 */
class LinalgGoldenTest {

  private static String golden(String op) throws IOException {
    try (InputStream in = LinalgGoldenTest.class.getResourceAsStream("/text/golden/" + op + ".cir")) {
      assertNotNull(in, "missing golden file text/golden/" + op + ".cir");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void check(String op, Graph g) throws IOException {
    assertEquals(golden(op), IrPrinter.toText(g, PrintOptions.defaults()), op);
  }

  private static GraphBuilder builder(String name) {
    return new GraphBuilder(name, SingleOp.REGISTRY);
  }

  @Test
  void everyOpHasAGoldenFile() throws IOException {
    var ops = new ArrayList<OpDef>(LinalgOps.defs());
    ops.addAll(PoolOps.defs());
    for (OpDef op : ops) {
      golden(op.fullName());
    }
  }

  @Test
  void matmulAndGemm() throws IOException {
    var b = builder("matmul");
    Value a = b.input("a", TensorType.f32(2, 3, 4));
    Value w = b.input("b", TensorType.f32(4, 5));
    b.output(b.op("graph.matmul", a, w));
    check("graph.matmul", b.build());

    var g = builder("gemm");
    Value ga = g.input("a", TensorType.f32(4, 2));
    Value gb = g.input("b", TensorType.f32(3, 4));
    Value gc = g.input("c", TensorType.f32(3));
    g.output(g.op("graph.gemm", Attributes.of("alpha", Attribute.of(0.5), "beta", Attribute.of(2.0), "trans_a",
        Attribute.of(1L), "trans_b", Attribute.of(1L)), ga, gb, gc));
    check("graph.gemm", g.build());
  }

  @Test
  void convolutions() throws IOException {
    var b = builder("conv2d");
    Value x = b.input("x", TensorType.f32(1, 4, 9, 9));
    Value w = b.input("w", TensorType.f32(8, 2, 3, 3));
    Value bias = b.input("b", TensorType.f32(8));
    b.output(b.op("graph.conv2d", Attributes.of("dilations", Attribute.ints(1, 1), "group", Attribute.of(2L),
        "kernel_shape", Attribute.ints(3, 3), "pads", Attribute.ints(1, 1, 1, 1), "strides", Attribute.ints(2, 2)),
        x, w, bias));
    b.output(b.op("graph.conv2d", Attributes.of("auto_pad", Attribute.of("SAME_UPPER"), "group", Attribute.of(2L),
        "strides", Attribute.ints(2, 2)), x, w));
    check("graph.conv2d", b.build());

    var c1 = builder("conv1d");
    Value x1 = c1.input("x", TensorType.f32(1, 3, 10));
    Value w1 = c1.input("w", TensorType.f32(6, 3, 3));
    c1.output(c1.op("graph.conv1d", Attributes.of("dilations", Attribute.ints(2), "pads", Attribute.ints(1, 1),
        "strides", Attribute.ints(2)), x1, w1));
    check("graph.conv1d", c1.build());

    var t = builder("conv_transpose2d");
    Value tx = t.input("x", TensorType.f32(1, 4, 5, 5));
    Value tw = t.input("w", TensorType.f32(4, 3, 3, 3));
    Value tb = t.input("b", TensorType.f32(6));
    t.output(t.op("graph.conv_transpose2d", Attributes.of("group", Attribute.of(2L), "output_padding",
        Attribute.ints(1, 1), "pads", Attribute.ints(1, 1, 1, 1), "strides", Attribute.ints(2, 2)), tx, tw, tb));
    check("graph.conv_transpose2d", t.build());

    var t1 = builder("conv_transpose1d");
    Value t1x = t1.input("x", TensorType.f32(1, 2, 4));
    Value t1w = t1.input("w", TensorType.f32(2, 3, 2));
    t1.output(t1.op("graph.conv_transpose1d", Attributes.of("output_shape", Attribute.ints(9), "strides",
        Attribute.ints(2)), t1x, t1w));
    check("graph.conv_transpose1d", t1.build());
  }

  @Test
  void pools() throws IOException {
    var m = builder("max_pool");
    Value x = m.input("x", TensorType.f32(1, 3, 8, 8));
    m.output(m.op("graph.max_pool", Attributes.of("kernel_shape", Attribute.ints(3, 3), "pads",
        Attribute.ints(1, 1, 1, 1), "strides", Attribute.ints(2, 2)), x));
    m.output(m.op("graph.max_pool", Attributes.of("ceil_mode", Attribute.of(1L), "dilations", Attribute.ints(2, 2),
        "kernel_shape", Attribute.ints(2, 2), "strides", Attribute.ints(2, 2)), x));
    check("graph.max_pool", m.build());

    var a = builder("average_pool");
    Value ax = a.input("x", TensorType.f32(1, 3, 7, 7));
    a.output(a.op("graph.average_pool", Attributes.of("auto_pad", Attribute.of("SAME_UPPER"), "count_include_pad",
        Attribute.of(1L), "kernel_shape", Attribute.ints(3, 3), "strides", Attribute.ints(2, 2)), ax));
    check("graph.average_pool", a.build());

    for (String op : List.of("global_average_pool", "global_max_pool")) {
      var g = builder(op);
      Value gx = g.input("x", op.equals("global_max_pool") ? TensorType.f32(2, 16, 9) : TensorType.f32(2, 16, 7, 7));
      g.output(g.op("graph." + op, gx));
      check("graph." + op, g.build());
    }
  }
}
