package dev.cimc.ir.dialect.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Builds the graph of each data-movement op's golden file and checks the printer writes the file's bytes. */
class ShapeOpsGoldenTest {
  private static Attributes attrs(Object... kv) {
    return Attributes.of(kv);
  }

  private static void check(String op, Consumer<GraphBuilder> body) throws IOException {
    var b = new GraphBuilder(op.substring("graph.".length()), Dialects.standard());
    body.accept(b);
    Graph g = b.build();
    String want;
    try (InputStream in = ShapeOpsGoldenTest.class.getResourceAsStream("/text/golden/" + op + ".cir")) {
      assertNotNull(in, "golden file for " + op);
      want = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(want, IrPrinter.toText(g, PrintOptions.defaults()), op);
  }

  private static void outputs(GraphBuilder b, List<Value> vs) {
    b.output(vs.toArray(new Value[0]));
  }

  @Test
  void flatten() throws IOException {
    check("graph.flatten", b -> b.output(b.op("graph.flatten", attrs("axis", Attribute.of(2L)),
        b.input("x", TensorType.f32(2, 3, 4)))));
  }

  @Test
  void reshape() throws IOException {
    check("graph.reshape", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4));
      Value e = b.input("e", TensorType.f32(0, 3));
      b.output(b.op("graph.reshape", attrs("shape", Attribute.ints(0, -1)), x),
          b.op("graph.reshape", attrs("allowzero", Attribute.of(1L), "shape", Attribute.ints(3, 0)), e));
    });
  }

  @Test
  void transpose() throws IOException {
    check("graph.transpose", b -> {
      Value x = b.input("x", TensorType.of(ElementType.I8, 2, 3, 4));
      b.output(b.op("graph.transpose", attrs("perm", Attribute.ints(1, 2, 0)), x), b.op("graph.transpose", x));
    });
  }

  @Test
  void squeeze() throws IOException {
    check("graph.squeeze", b -> {
      Value x = b.input("x", TensorType.f32(1, 3, 1, 2));
      b.output(b.op("graph.squeeze", attrs("axes", Attribute.ints(0)), x), b.op("graph.squeeze", x));
    });
  }

  @Test
  void unsqueeze() throws IOException {
    check("graph.unsqueeze", b -> b.output(b.op("graph.unsqueeze", attrs("axes", Attribute.ints(0, -1)),
        b.input("x", TensorType.f32(3, 2)))));
  }

  @Test
  void concat() throws IOException {
    check("graph.concat", b -> {
      Value a = b.input("a", TensorType.f32(2, 2));
      Value c = b.input("b", TensorType.f32(2, 3));
      b.output(b.op("graph.concat", attrs("axis", Attribute.of(-1L)), a, c, a));
    });
  }

  @Test
  void split() throws IOException {
    check("graph.split", b -> {
      Value x = b.input("x", TensorType.f32(2, 7));
      var first = b.ops("graph.split", attrs("axis", Attribute.of(1L), "split", Attribute.ints(2, 5)), 2, x);
      var second = b.ops("graph.split", attrs("axis", Attribute.of(-1L), "num_outputs", Attribute.of(2L)), 2, x);
      outputs(b, List.of(first.get(0), first.get(1), second.get(0), second.get(1)));
    });
  }

  @Test
  void slice() throws IOException {
    check("graph.slice", b -> {
      Value x = b.input("x", TensorType.f32(20, 10, 5));
      b.output(b.op("graph.slice", attrs("axes", Attribute.ints(0, 1, 2), "ends", Attribute.ints(0, 0, 1),
              "starts", Attribute.ints(20, 10, 4), "steps", Attribute.ints(-1, -3, -2)), x),
          b.op("graph.slice", attrs("axes", Attribute.ints(-2), "ends", Attribute.ints(Long.MAX_VALUE),
              "starts", Attribute.ints(1)), x));
    });
  }

  @Test
  void gather() throws IOException {
    check("graph.gather", b -> {
      Value data = b.input("data", TensorType.f32(3, 4));
      Value idx = b.constant("idx", Tensor.ofLongs(new int[] {2, 2}, 0, -1, 2, 1));
      b.output(b.op("graph.gather", attrs("axis", Attribute.of(1L)), data, idx));
    });
  }

  @Test
  void pad() throws IOException {
    check("graph.pad", b -> {
      Value x = b.input("x", TensorType.f32(1, 3, 4, 5));
      b.output(b.op("graph.pad", attrs("axes", Attribute.ints(-3, -1), "pads", Attribute.ints(0, 3, 0, 4),
              "value", Attribute.of(1.2)), x),
          b.op("graph.pad", attrs("mode", Attribute.of("reflect"), "pads", Attribute.ints(0, 0, 1, 1, 0, 0, 1, 1)), x));
    });
  }

  @Test
  void resize() throws IOException {
    check("graph.resize", b -> {
      Value x = b.input("x", TensorType.f32(1, 1, 2, 2));
      b.output(b.op("graph.resize", attrs("coordinate_transformation_mode", Attribute.of("align_corners"),
              "mode", Attribute.of("linear"), "scales", Attribute.floats(1, 1, 2, 2)), x),
          b.op("graph.resize", attrs("axes", Attribute.ints(2, 3), "coordinate_transformation_mode",
              Attribute.of("asymmetric"), "nearest_mode", Attribute.of("floor"), "sizes", Attribute.ints(3, 5)), x));
    });
  }

  @Test
  void cast() throws IOException {
    check("graph.cast", b -> {
      Value x = b.input("x", TensorType.f32(2, 3));
      b.output(b.op("graph.cast", attrs("to", new Attribute.TypeAttr(ElementType.I64)), x),
          b.op("graph.cast", attrs("to", new Attribute.TypeAttr(ElementType.BOOL)), x));
    });
  }

  @Test
  void shape() throws IOException {
    check("graph.shape", b -> {
      Value x = b.input("x", TensorType.f32(2, 3, 4));
      b.output(b.op("graph.shape", x),
          b.op("graph.shape", attrs("end", Attribute.of(-1L), "start", Attribute.of(1L)), x));
    });
  }

  @Test
  void constantOfShape() throws IOException {
    check("graph.constant_of_shape", b -> {
      var seven = new Attribute.TensorAttr(Tensor.fromLongs(TensorType.of(ElementType.I32, 1), new long[] {7}));
      b.output(b.op("graph.constant_of_shape", attrs("shape", Attribute.ints(2, 3), "value", seven)),
          b.op("graph.constant_of_shape", attrs("shape", Attribute.ints(4))));
    });
  }

  @Test
  void identity() throws IOException {
    check("graph.identity", b -> b.output(b.op("graph.identity", b.input("x", TensorType.f32(2)))));
  }
}
