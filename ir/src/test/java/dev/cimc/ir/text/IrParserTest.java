package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.QuantParams;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IrParserTest {
  private static Graph parse(String text) {
    return IrParser.parse(text, "t.cir", TestDialect.REGISTRY, Map.of());
  }

  private static String canonical(String text) {
    return IrPrinter.toText(parse(text), PrintOptions.defaults());
  }

  @Test
  void readsTheDesignExample() {
    String text = """
        graph @mlp(%x: tensor<1x4xf32>, %"in:1": tensor<?x4xf32>) -> (tensor<1x2xf32>, tensor<2xf32>) {
          %w = const @w : tensor<4x2xf32>
          %c = const dense<[1.0, 2.0]> : tensor<2xf32>
          %z = const dense<0.0> : tensor<64x3xf32>
          %0 = graph.matmul(%x, %w) : tensor<1x2xf32>
          %1 = graph.reshape(%0) {allowzero = 0, shape = [2]} : tensor<2xf32>
          %q = q.quantize(%1) : tensor<2x!q.u8<scale=0.5, zp=128>>
          %k = const dense<[1, -2]> : tensor<2x!q.i8<axis=0, scales=[0.5, 0.25], zps=[0, 0]>>
          return %0, %1
        }
        """;
    Tensor w = Tensor.ofFloats(new int[] {4, 2}, 1, 2, 3, 4, 5, 6, 7, 8);
    Graph g = IrParser.parse(text, "mlp.cir", Dialects.standard(), Map.of("w", w));
    assertEquals("mlp", g.name());
    assertEquals(List.of("x", "in:1"), List.of(g.input(0).name(), g.input(1).name()));
    assertEquals(TensorType.of(ElementType.F32, Shape.DYNAMIC, 4), g.value("in:1").type());
    assertEquals(7, g.size());
    assertSame(w, ((Attribute.TensorAttr) g.value("w").producer().attr("value")).value());
    Tensor z = ((Attribute.TensorAttr) g.value("z").producer().attr("value")).value();
    assertEquals(192, z.size());
    assertTrue(z.isSplat());
    var k = ((Attribute.TensorAttr) g.value("k").producer().attr("value")).value();
    assertEquals(QuantParams.perAxis(0, new double[] {0.5, 0.25}, new long[] {0, 0}), k.type().quant());
    assertEquals(-2, k.getLong(1));
    assertEquals(List.of(g.value("0"), g.value("1")), g.outputs());
    var printed = IrPrinter.print(g, PrintOptions.defaults().withInlineLimit(4));
    assertEquals(text, printed.text());
    assertSame(w, printed.blobs().get("w"));
  }

  @Test
  void everyNodeIsLocatedAtItsFirstTokenUnlessItSaysOtherwise() {
    String text = "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        + "  %0 = graph.relu(%x) : tensor<2xf32>\n"
        + "\t\t%1 = graph.relu(%0) : tensor<2xf32> loc(\"model.onnx\":12:5)\n"
        + "  %2 = graph.relu(%1) : tensor<2xf32> loc(\"Relu_3\" in \"m.onnx\")\n"
        + "  %3 = graph.relu(%2) : tensor<2xf32> loc(\"fused\")\n"
        + "  test.sink(%3) :\n"
        + "  return %3\n}\n";
    List<Node> nodes = parse(text).nodes();
    assertEquals(new Location.FileLineCol("t.cir", 2, 3), nodes.get(0).location());
    assertEquals(new Location.FileLineCol("model.onnx", 12, 5), nodes.get(1).location());
    assertEquals(new Location.Named("m.onnx", "Relu_3"), nodes.get(2).location());
    assertEquals(new Location.Named(null, "fused"), nodes.get(3).location());
    assertEquals(new Location.FileLineCol("t.cir", 6, 3), nodes.get(4).location());
    String withLocs = IrPrinter.toText(parse(text), PrintOptions.defaults().withLocations(true));
    assertTrue(withLocs.contains("%0 = graph.relu(%x) : tensor<2xf32> loc(\"t.cir\":2:3)\n"), withLocs);
    assertTrue(withLocs.contains("loc(\"Relu_3\" in \"m.onnx\")"), withLocs);
  }

  @Test
  void whitespaceCommentsAndLineEndingsAreInsignificant() {
    String messy = "// leading comment\r\n\uFEFFgraph   @g ( %x :tensor<2x!q.i8< scale = 0.5 ,zp=1 > > ,%y: tensor<2xf32>)->"
        + "( tensor<2xf32> ) {  // trailing\r\n"
        + "%a=graph.relu (  %y  )  :  tensor<2xf32  >\r\n"
        + "  %b = graph.reshape(%a){ shape=[ 2 ] , allowzero = 0 }:tensor<2xf32>   return   %b }  // done";
    String canonical = "graph @g(%x: tensor<2x!q.i8<scale=0.5, zp=1>>, %y: tensor<2xf32>) -> tensor<2xf32> {\n"
        + "  %a = graph.relu(%y) : tensor<2xf32>\n"
        + "  %b = graph.reshape(%a) {allowzero = 0, shape = [2]} : tensor<2xf32>\n"
        + "  return %b\n}\n";
    // the BOM is only skipped at the very start, so strip the comment before it
    assertEquals(canonical, canonical(messy.substring(messy.indexOf('\uFEFF'))));
    assertEquals(canonical, canonical(messy.replace("\uFEFF", "")));
  }

  @Test
  void quotedNamesAndEscapes() {
    String text = "graph @\"my graph\"(%\"a:b\": tensor<f32>) -> (tensor<f32>, tensor<f32>) {\n"
        + "  %\"q\\\"t\\\\\\n\\t\\01\" = graph.relu(%\"a:b\") : tensor<f32>\n"
        + "  %\"日本\" = graph.identity(%\"q\\\"t\\\\\\n\\t\\01\") : tensor<f32>\n"
        + "  return %\"日本\", %\"a:b\"\n}\n";
    Graph g = parse(text);
    assertEquals("my graph", g.name());
    assertNotNull(g.value("q\"t\\\n\t\u0001"));
    assertNotNull(g.value("日本"));
    assertEquals(text, IrPrinter.toText(g, PrintOptions.defaults()));
    // hex escapes may use either case; a bare name may also be written quoted
    assertEquals(canonical(text), canonical(text.replace("\\01", "\\1F").replace("\\1F", "\\01")));
    String quotedBare = "graph @g(%\"x\": tensor<f32>) -> tensor<f32> {\n  return %x\n}\n";
    assertEquals("graph @g(%x: tensor<f32>) -> tensor<f32> {\n  return %x\n}\n", canonical(quotedBare));
  }

  @Test
  void numericNamesOfAnySizeAndSpelling() {
    String text = "graph @g(%999999999: tensor<f32>, %7: tensor<f32>) -> (tensor<f32>, tensor<f32>) {\n"
        + "  %007 = graph.relu(%999999999) : tensor<f32>\n"
        + "  %\"12\" = graph.relu(%7) : tensor<f32>\n"
        + "  %123456 = graph.add(%12, %007) : tensor<f32>\n"
        + "  %9999999999999 = graph.relu(%\"123456\") : tensor<f32>\n"
        + "  return %9999999999999, %\"999999999\"\n}\n";
    Graph g = parse(text);
    assertEquals(4, g.size());
    assertNotNull(g.value("007"));
    assertEquals(List.of("9999999999999", "999999999"), List.of(g.output(0).name(), g.output(1).name()));
    assertEquals(text.replace("%\"12\"", "%12").replace("%\"123456\"", "%123456").replace("%\"999999999\"",
        "%999999999"), IrPrinter.toText(g, PrintOptions.defaults()));
    var e = assertThrows(ParseException.class, () -> parse(text.replace("%007 =", "%\"999999999\" =")));
    assertEquals("redefinition of value %999999999", e.getMessage());
    e = assertThrows(ParseException.class, () -> parse(text.replace("%\"12\" =", "%7 =")));
    assertEquals("redefinition of value %7", e.getMessage());
  }

  @Test
  void attributeKindsFollowTheSchema() {
    String text = "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        + "  %0 = test.attrs(%x) {b = true, f = 2, fs = [1, 2.5], i = -3, is = [], s = \"a\\\"b\", ss = [], "
        + "t = dense<[1, 2]> : tensor<2xi8>, ty = f16} : tensor<2xf32>\n"
        + "  %1 = test.attrs(%0) {fs = [], is = [1, -2], ss = [\"x\", \"\"], t = dense<nan> : tensor<3xf64>} : tensor<2xf32>\n"
        + "  return %1\n}\n";
    Graph g = parse(text);
    Node n = g.first();
    assertEquals(new Attribute.BoolAttr(true), n.attr("b"));
    assertEquals(new Attribute.FloatAttr(2.0), n.attr("f"));
    assertEquals(Attribute.floats(1, 2.5), n.attr("fs"));
    assertEquals(new Attribute.IntAttr(-3), n.attr("i"));
    assertEquals(Attribute.ints(new long[0]), n.attr("is"));
    assertEquals(new Attribute.StringAttr("a\"b"), n.attr("s"));
    assertEquals(new Attribute.StringsAttr(List.of()), n.attr("ss"));
    assertEquals(new Attribute.TypeAttr(ElementType.F16), n.attr("ty"));
    Tensor t = ((Attribute.TensorAttr) n.attr("t")).value();
    assertEquals(TensorType.of(ElementType.I8, 2), t.type());
    Node m = n.next();
    assertEquals(Attribute.floats(), m.attr("fs"));
    assertEquals(new Attribute.StringsAttr(List.of("x", "")), m.attr("ss"));
    assertTrue(Double.isNaN(((Attribute.TensorAttr) m.attr("t")).value().getDouble(2)));
    String expected = text.replace("f = 2,", "f = 2.0,").replace("[1, 2.5]", "[1.0, 2.5]");
    assertEquals(expected, IrPrinter.toText(g, PrintOptions.defaults()));
  }

  @Test
  void unknownAttributesKeepTheirLiteralKind() {
    String text = "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n"
        + "  %0 = graph.relu(%x) {a = 1, b = 1.0, c = [], d = [1, 2.0], e = nan, f = -inf, g = i4} : tensor<2xf32>\n"
        + "  return %0\n}\n";
    Node n = IrParser.parseUnverified(text, "t.cir", Dialects.standard(), Map.of()).first();
    assertEquals(new Attribute.IntAttr(1), n.attr("a"));
    assertEquals(new Attribute.FloatAttr(1.0), n.attr("b"));
    assertEquals(Attribute.ints(new long[0]), n.attr("c"));
    assertEquals(Attribute.floats(1, 2), n.attr("d"));
    assertEquals(new Attribute.FloatAttr(Double.NaN), n.attr("e"));
    assertEquals(new Attribute.FloatAttr(Double.NEGATIVE_INFINITY), n.attr("f"));
    assertEquals(new Attribute.TypeAttr(ElementType.I4), n.attr("g"));
    // a float where the schema wants an int stays a float, for the verifier to report
    String conv = "graph @g(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {\n"
        + "  %0 = graph.conv2d(%x, %w) {group = 1.0} : tensor<1x1x2x2xf32>\n  return %0\n}\n";
    Node c = IrParser.parseUnverified(conv, "t.cir", Dialects.standard(), Map.of()).first();
    assertEquals(new Attribute.FloatAttr(1.0), c.attr("group"));
  }

  @Test
  void declaredResultTypesAreKeptForTheVerifier() {
    String text = "graph @g(%x: tensor<2xf32>) -> tensor<9xi8> {\n"
        + "  %0 = graph.relu(%x) : tensor<9xi8>\n  return %0\n}\n";
    Graph g = IrParser.parseUnverified(text, "t.cir", Dialects.standard(), Map.of());
    assertEquals(TensorType.of(ElementType.I8, 9), g.value("0").type());
  }

  @Test
  void multipleResultsAndResultlessNodes() {
    String text = "graph @g(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {\n"
        + "  %a, %\"b c\", %0 = test.split(%x) : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>\n"
        + "  test.sink(%a, %0) : \n"
        + "  test.sink() : \n"
        + "  return %0, %\"b c\", %0\n}\n";
    Graph g = parse(text);
    assertEquals(3, g.first().numResults());
    assertEquals(0, g.first().next().numResults());
    assertEquals(text, IrPrinter.toText(g, PrintOptions.defaults()));
  }

  @Test
  void blobsAreSharedNotCopied() {
    float[] data = new float[20];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    Tensor w = Tensor.ofFloats(new int[] {20}, data);
    String text = "graph @g() -> (tensor<20xf32>, tensor<20xf32>) {\n"
        + "  %a = const @w : tensor<20xf32>\n"
        + "  %b = const @w : tensor<20xf32>\n"
        + "  %c = const() {value = @w : tensor<20xf32>} : tensor<20xf32>\n"
        + "  return %a, %b\n}\n";
    Graph g = IrParser.parse(text, "t.cir", Dialects.standard(), Map.of("w", w));
    for (String v : List.of("a", "b", "c")) {
      assertSame(w, ((Attribute.TensorAttr) g.value(v).producer().attr("value")).value(), v);
    }
    var printed = IrPrinter.print(g);
    // the printer names a blob after the first constant holding it
    assertEquals(Map.of("a", w), printed.blobs());
    assertTrue(printed.text().contains("  %c = const @a : tensor<20xf32>\n"), printed.text());
  }

  @Test
  void constantElementKinds() {
    String text = "graph @g() -> tensor<3xf16> {\n"
        + "  %h = const dense<[0.1, 65504.0, -inf]> : tensor<3xf16>\n"
        + "  %b = const dense<[1, 0]> : tensor<2xbool>\n"
        + "  %i = const dense<[-8, 7]> : tensor<2xi4>\n"
        + "  %u = const dense<[255, 0]> : tensor<2xu8>\n"
        + "  %f = const dense<[3, -0.0]> : tensor<2xf32>\n"
        + "  %s = const dense<-1> : tensor<2x2xi64>\n"
        + "  %e = const dense<[]> : tensor<0xf32>\n"
        + "  return %h\n}\n";
    Graph g = parse(text);
    Tensor h = ((Attribute.TensorAttr) g.value("h").producer().attr("value")).value();
    assertEquals(0.0999755859375, h.getDouble(0));
    assertEquals(1, ((Attribute.TensorAttr) g.value("b").producer().attr("value")).value().getLong(0));
    assertEquals(-8, ((Attribute.TensorAttr) g.value("i").producer().attr("value")).value().getLong(0));
    assertEquals(255, ((Attribute.TensorAttr) g.value("u").producer().attr("value")).value().getLong(0));
    Tensor f = ((Attribute.TensorAttr) g.value("f").producer().attr("value")).value();
    assertEquals(3f, f.getFloat(0));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f.getFloat(1)));
    Tensor s = ((Attribute.TensorAttr) g.value("s").producer().attr("value")).value();
    assertEquals(List.of(-1L, -1L, -1L, -1L), List.of(s.getLong(0), s.getLong(1), s.getLong(2), s.getLong(3)));
    assertEquals(text.replace("0.1, 65504.0", "0.099975586, 65504.0").replace("[3, -0.0]", "[3.0, -0.0]"),
        IrPrinter.toText(g, PrintOptions.defaults()));
  }

  @Test
  void standaloneTypes() {
    assertEquals(TensorType.f32(1, 3, 224, 224), TypeSyntax.parse("tensor<1x3x224x224xf32>"));
    assertEquals(TensorType.of(ElementType.BOOL), TypeSyntax.parse("  tensor<bool> "));
    assertEquals(TensorType.of(ElementType.U4, Shape.DYNAMIC, 0), TypeSyntax.parse("tensor<?x0xu4>"));
    var q = TypeSyntax.parse("tensor<6x1x!q.i8<axis=0, scales=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], zps=[0, 0, 0, 0, 0, -1]>>");
    assertEquals(6, q.quant().channels());
    assertEquals(-1, q.quant().zeroPoint(5));
    for (TensorType t : List.of(TensorType.f32(), q, TensorType.of(ElementType.I2, 1, 2, 3))) {
      assertEquals(t, TypeSyntax.parse(TypeSyntax.print(t)));
    }
    var e = assertThrows(ParseException.class, () -> TypeSyntax.parse("tensor<2xf32> x"));
    assertEquals("<type>:1:15: error: expected end of type, found 'x'\ntensor<2xf32> x\n              ^",
        e.render());
    assertInstanceOf(ParseException.class, assertThrows(ParseException.class, () -> TypeSyntax.parse("")));
  }

  @Test
  void errorsCarryLineAndColumn() {
    var e = assertThrows(ParseException.class, () -> parse("graph @g() -> () {\n  return\n  }}\n"));
    assertEquals(3, e.line());
    assertEquals(4, e.column());
    assertEquals(new Location.FileLineCol("t.cir", 3, 4), e.location());
    assertEquals(1, e.exitCode());
  }

  /** Side files store codes without types: blobs take the declared quantized or sub-byte type, shared. */
  @Test
  void plainBlobsTakeTheirDeclaredQuantizedType() {
    byte[] codes = new byte[20];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (byte) (i % 15 - 7);
    }
    Tensor stored = Tensor.wrap(TensorType.of(ElementType.I8, 20), codes);
    String text = "graph @g() -> (tensor<20x!q.i4<scale=0.5, zp=0>>, tensor<20x!q.i4<scale=0.5, zp=0>>) {\n"
        + "  %a = const @w : tensor<20x!q.i4<scale=0.5, zp=0>>\n"
        + "  %b = const @w : tensor<20x!q.i4<scale=0.5, zp=0>>\n"
        + "  return %a, %b\n}\n";
    Graph g = IrParser.parse(text, "q.cir", Dialects.standard(), Map.of("w", stored));
    Tensor a = ((Attribute.TensorAttr) g.value("a").producer().attr("value")).value();
    Tensor b = ((Attribute.TensorAttr) g.value("b").producer().attr("value")).value();
    assertEquals(new TensorType(ElementType.I4, Shape.of(20), QuantParams.perTensor(0.5, 0)), a.type());
    assertSame(a, b);
    assertEquals(-7, a.getLong(0));
    // a code outside i4 cannot take the declared type
    codes[3] = 100;
    var e = assertThrows(dev.cimc.ir.diag.CimcException.class, () -> IrParser.parse(text, "q.cir", Dialects.standard(),
        Map.of("w", Tensor.wrap(TensorType.of(ElementType.I8, 20), codes))));
    assertTrue(e.getMessage().startsWith("constant @w is declared tensor<20x!q.i4<scale=0.5, zp=0>>, but blob 'w' holds "
        + "tensor<20xi8>"), e.getMessage());
  }
}
