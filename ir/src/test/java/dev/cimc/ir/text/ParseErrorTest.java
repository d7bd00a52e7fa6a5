package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every parse error a user can see, verbatim: {@code CimcException.render()} with location, message, the
 * source line, the caret and the hint. The blob {@code w} (a {@code tensor<2xf32>}) is available to each input.
 */
class ParseErrorTest {
  private static final String H = "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n";

  private record Case(String name, String input, String rendered) {}

  private static final List<Case> CASES = List.of(
        new Case("emptyFile",
            "",
            "bad.cir:1:1: error: expected 'graph', found end of file\n"
            + "\n"
            + "^"),
        new Case("onlyAComment",
            "// only a comment\n",
            "bad.cir:1:18: error: expected 'graph', found end of file\n"
            + "// only a comment\n"
            + "                 ^"),
        new Case("graphNameWithoutAt",
            "graph g() -> () {\n}\n",
            "bad.cir:1:7: error: expected a graph name '@name', found 'g'\n"
            + "graph g() -> () {\n"
            + "      ^"),
        new Case("unknownOpSuggestsNearest",
            H + "  %0 = graph.ad(%x, %x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:8: error: unknown op 'graph.ad'\n"
            + "  %0 = graph.ad(%x, %x) : tensor<2xf32>\n"
            + "       ^~~~~~~~\n"
            + "hint: did you mean `graph.add`?"),
        new Case("unknownOpWithoutDialect",
            H + "  %0 = add(%x, %x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:8: error: unknown op 'add'\n"
            + "  %0 = add(%x, %x) : tensor<2xf32>\n"
            + "       ^~~\n"
            + "hint: did you mean `graph.add`?"),
        new Case("unknownOpFarFromAnything",
            H + "  %0 = foo.bar(%x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:8: error: unknown op 'foo.bar'\n"
            + "  %0 = foo.bar(%x) : tensor<2xf32>\n"
            + "       ^~~~~~~"),
        new Case("undefinedValue",
            H + "  %0 = graph.relu(%y) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:19: error: use of undefined value %y\n"
            + "  %0 = graph.relu(%y) : tensor<2xf32>\n"
            + "                  ^~\n"
            + "hint: %y is not defined before this use"),
        new Case("valueUsedByItsOwnDefinition",
            H + "  %0 = graph.relu(%0) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:19: error: use of undefined value %0\n"
            + "  %0 = graph.relu(%0) : tensor<2xf32>\n"
            + "                  ^~\n"
            + "hint: %0 is not defined before this use"),
        new Case("redefinitionOfAnInput",
            H + "  %x = graph.relu(%x) : tensor<2xf32>\n  return %x\n}\n",
            "bad.cir:2:3: error: redefinition of value %x\n"
            + "  %x = graph.relu(%x) : tensor<2xf32>\n"
            + "  ^~\n"
            + "hint: %x is already defined at line 1"),
        new Case("redefinitionWithinANode",
            H + "  %a, %a = graph.relu(%x) : tensor<2xf32>, tensor<2xf32>\n  return %a\n}\n",
            "bad.cir:2:7: error: redefinition of value %a\n"
            + "  %a, %a = graph.relu(%x) : tensor<2xf32>, tensor<2xf32>\n"
            + "      ^~\n"
            + "hint: %a is already a result of this node"),
        new Case("unknownElementType",
            "graph @g(%x: tensor<2xf8>) -> () {\n  return\n}\n",
            "bad.cir:1:23: error: unknown element type 'f8'\n"
            + "graph @g(%x: tensor<2xf8>) -> () {\n"
            + "                      ^~\n"
            + "hint: the element types are f64, f32, f16, i64, i32, i16, i8, u8, i4, u4, i2, u2, bool"),
        new Case("typeWithoutElementType",
            "graph @g(%x: tensor<2x3>) -> () {\n  return\n}\n",
            "bad.cir:1:24: error: expected 'x' after a dimension, found '>'\n"
            + "graph @g(%x: tensor<2x3>) -> () {\n"
            + "                       ^"),
        new Case("whitespaceInsideShape",
            "graph @g(%x: tensor<2 x3xf32>) -> () {\n  return\n}\n",
            "bad.cir:1:22: error: expected 'x' after a dimension, found whitespace\n"
            + "graph @g(%x: tensor<2 x3xf32>) -> () {\n"
            + "                     ^"),
        new Case("bareElementTypeIsNotAType",
            "graph @g(%x: f32) -> () {\n  return\n}\n",
            "bad.cir:1:14: error: expected a type 'tensor<...>', found 'f32'\n"
            + "graph @g(%x: f32) -> () {\n"
            + "             ^~~"),
        new Case("dimensionOverflow",
            "graph @g(%x: tensor<99999999999xf32>) -> () {\n  return\n}\n",
            "bad.cir:1:21: error: dimension 99999999999 is too large\n"
            + "graph @g(%x: tensor<99999999999xf32>) -> () {\n"
            + "                    ^~~~~~~~~~~\n"
            + "hint: dimensions must fit in 32 bits"),
        new Case("missingResultType",
            H + "  %0 = graph.relu(%x) :\n  return %0\n}\n",
            "bad.cir:3:3: error: expected a result type 'tensor<...>', found 'return'\n"
            + "  return %0\n"
            + "  ^~~~~~"),
        new Case("tooManyResultTypes",
            H + "  %0 = graph.relu(%x) : tensor<2xf32>, tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:25: error: expected 1 result type, found 2\n"
            + "  %0 = graph.relu(%x) : tensor<2xf32>, tensor<2xf32>\n"
            + "                        ^~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            + "hint: write one type per result, separated by ','"),
        new Case("missingColon",
            H + "  %0 = graph.relu(%x)\n  return %0\n}\n",
            "bad.cir:3:3: error: expected ':', found 'return'\n"
            + "  return %0\n"
            + "  ^~~~~~"),
        new Case("operandsWithoutParentheses",
            H + "  %0 = graph.relu %x : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:19: error: expected '(' after the op name, found '%x'\n"
            + "  %0 = graph.relu %x : tensor<2xf32>\n"
            + "                  ^~"),
        new Case("missingEquals",
            H + "  %0 graph.relu(%x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:6: error: expected '=', found 'graph.relu'\n"
            + "  %0 graph.relu(%x) : tensor<2xf32>\n"
            + "     ^~~~~~~~~~"),
        new Case("unclosedOperandList",
            H + "  %0 = graph.add(%x, %x : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:25: error: expected ',' or ')', found ':'\n"
            + "  %0 = graph.add(%x, %x : tensor<2xf32>\n"
            + "                        ^"),
        new Case("unterminatedString",
            H + "  %\"abc = graph.relu(%x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:4: error: unterminated string\n"
            + "  %\"abc = graph.relu(%x) : tensor<2xf32>\n"
            + "   ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            + "hint: close the string with '\"' on the same line"),
        new Case("invalidEscape",
            H + "  %\"a\\qb\" = graph.relu(%x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:6: error: invalid escape '\\q' in string\n"
            + "  %\"a\\qb\" = graph.relu(%x) : tensor<2xf32>\n"
            + "     ^~\n"
            + "hint: the escapes are \\\" \\\\ \\n \\t and \\XX with two hex digits"),
        new Case("emptyValueName",
            H + "  %\"\" = graph.relu(%x) : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:4: error: expected a value name, found an empty name\n"
            + "  %\"\" = graph.relu(%x) : tensor<2xf32>\n"
            + "   ^~"),
        new Case("integerOverflow",
            H + "  %0 = graph.reshape(%x) {shape = [99999999999999999999]} : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:36: error: integer 99999999999999999999 does not fit in 64 bits\n"
            + "  %0 = graph.reshape(%x) {shape = [99999999999999999999]} : tensor<2xf32>\n"
            + "                                   ^~~~~~~~~~~~~~~~~~~~\n"
            + "hint: integers range from -9223372036854775808 to 9223372036854775807"),
        new Case("duplicateAttribute",
            H + "  %0 = graph.reshape(%x) {shape = [2], shape = [2]} : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:40: error: duplicate attribute 'shape'\n"
            + "  %0 = graph.reshape(%x) {shape = [2], shape = [2]} : tensor<2xf32>\n"
            + "                                       ^~~~~\n"
            + "hint: give each attribute once"),
        new Case("badAttributeValue",
            H + "  %0 = graph.reshape(%x) {shape = two} : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:35: error: expected an attribute value, found 'two'\n"
            + "  %0 = graph.reshape(%x) {shape = two} : tensor<2xf32>\n"
            + "                                  ^~~"),
        new Case("mixedList",
            H + "  %0 = graph.reshape(%x) {shape = [2, \"a\"]} : tensor<2xf32>\n  return %0\n}\n",
            "bad.cir:2:39: error: expected a number, found '\"a\"'\n"
            + "  %0 = graph.reshape(%x) {shape = [2, \"a\"]} : tensor<2xf32>\n"
            + "                                      ^~~"),
        new Case("missingBlob",
            H + "  %w = const @w0 : tensor<2xf32>\n  return %x\n}\n",
            "bad.cir:2:14: error: constant @w0 has no data: blob 'w0' not found\n"
            + "  %w = const @w0 : tensor<2xf32>\n"
            + "             ^~~\n"
            + "hint: pass the side file written with the .cir (or print without --elide-constants)"),
        new Case("blobOfAnotherType",
            H + "  %w = const @w : tensor<2x2xf32>\n  return %x\n}\n",
            "bad.cir:2:19: error: constant @w is declared tensor<2x2xf32>, but blob 'w' holds tensor<2xf32>\n"
            + "  %w = const @w : tensor<2x2xf32>\n"
            + "                  ^~~~~~~~~~~~~~~"),
        new Case("wrongElementCount",
            H + "  %c = const dense<[1.0, 2.0, 3.0]> : tensor<2x2xf32>\n  return %x\n}\n",
            "bad.cir:2:14: error: expected 4 elements for tensor<2x2xf32>, found 3\n"
            + "  %c = const dense<[1.0, 2.0, 3.0]> : tensor<2x2xf32>\n"
            + "             ^~~~~~~~~~~~~~~~~~~~~~\n"
            + "hint: a single value without brackets, dense<v>, fills the whole tensor"),
        new Case("elementOutOfRange",
            H + "  %c = const dense<[300]> : tensor<1xu8>\n  return %x\n}\n",
            "bad.cir:2:21: error: value 300 does not fit element type u8 (0..255)\n"
            + "  %c = const dense<[300]> : tensor<1xu8>\n"
            + "                    ^~~"),
        new Case("floatForIntegerElement",
            H + "  %c = const dense<[1.5]> : tensor<1xi8>\n  return %x\n}\n",
            "bad.cir:2:21: error: expected an integer for element type i8, found '1.5'\n"
            + "  %c = const dense<[1.5]> : tensor<1xi8>\n"
            + "                    ^~~"),
        new Case("dynamicConstant",
            H + "  %c = const dense<1.0> : tensor<?xf32>\n  return %x\n}\n",
            "bad.cir:2:27: error: expected a static shape for a constant, found tensor<?xf32>\n"
            + "  %c = const dense<1.0> : tensor<?xf32>\n"
            + "                          ^~~~~~~~~~~~~"),
        new Case("wordInsideDense",
            H + "  %c = const dense<[1.0, abc]> : tensor<2xf32>\n  return %x\n}\n",
            "bad.cir:2:26: error: expected a number, found 'abc'\n"
            + "  %c = const dense<[1.0, abc]> : tensor<2xf32>\n"
            + "                         ^~~"),
        new Case("missingArrow",
            "graph @g(%x: tensor<2xf32>) tensor<2xf32> {\n  return %x\n}\n",
            "bad.cir:1:29: error: expected '->', found 'tensor'\n"
            + "graph @g(%x: tensor<2xf32>) tensor<2xf32> {\n"
            + "                            ^~~~~~"),
        new Case("returnCountDiffersFromSignature",
            H + "  return %x, %x\n}\n",
            "bad.cir:2:3: error: expected 1 return value (the signature of @g declares 1), found 2\n"
            + "  return %x, %x\n"
            + "  ^~~~~~"),
        new Case("returnTypeDiffersFromSignature",
            "graph @g(%x: tensor<2xf32>) -> tensor<3xf32> {\n  return %x\n}\n",
            "bad.cir:2:10: error: return value %x has type tensor<2xf32>, but the signature declares tensor<3xf32>\n"
            + "  return %x\n"
            + "         ^~"),
        new Case("secondGraph",
            H + "  return %x\n}\ngraph @h() -> () {\n  return\n}\n",
            "bad.cir:4:1: error: expected end of file, found 'graph'\n"
            + "graph @h() -> () {\n"
            + "^~~~~"),
        new Case("truncatedFile",
            H + "  %0 = graph.relu(%x) : tensor<2xf32>\n",
            "bad.cir:2:38: error: expected a node or 'return', found end of file\n"
            + "  %0 = graph.relu(%x) : tensor<2xf32>\n"
            + "                                     ^"),
        new Case("negativeScale",
            "graph @g(%x: tensor<2x!q.i8<scale=-1.0, zp=0>>) -> () {\n  return\n}\n",
            "bad.cir:1:23: error: invalid quantization parameters: quantization scale must be positive and finite, got -1.0\n"
            + "graph @g(%x: tensor<2x!q.i8<scale=-1.0, zp=0>>) -> () {\n"
            + "                      ^~~~~~~~~~~~~~~~~~~~~~"),
        new Case("scalesDoNotMatchChannels",
            "graph @g(%x: tensor<2x!q.i8<axis=0, scales=[1.0], zps=[0]>>) -> () {\n  return\n}\n",
            "bad.cir:1:14: error: invalid type: quantization axis 0 has 2 channels but 1 scales were given\n"
            + "graph @g(%x: tensor<2x!q.i8<axis=0, scales=[1.0], zps=[0]>>) -> () {\n"
            + "             ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"),
        new Case("quantizedFloat",
            "graph @g(%x: tensor<2x!q.f32<scale=1.0, zp=0>>) -> () {\n  return\n}\n",
            "bad.cir:1:14: error: invalid type: quantized types need an integer element type, got f32\n"
            + "graph @g(%x: tensor<2x!q.f32<scale=1.0, zp=0>>) -> () {\n"
            + "             ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~"),
        new Case("quantParamsOutOfOrder",
            "graph @g(%x: tensor<2x!q.i8<zp=0>>) -> () {\n  return\n}\n",
            "bad.cir:1:29: error: expected 'scale' or 'axis', found 'zp'\n"
            + "graph @g(%x: tensor<2x!q.i8<zp=0>>) -> () {\n"
            + "                            ^~"),
        new Case("caretAlignsUnderTabs",
            H + "\t%0 = graph.relu(%x) : tensor<2xf32> loc(\"a\":1)\n  return %0\n}\n",
            "bad.cir:2:47: error: expected ':', found ')'\n"
            + "\t%0 = graph.relu(%x) : tensor<2xf32> loc(\"a\":1)\n"
            + "\t                                             ^"),
        new Case("strayBrace",
            H + "  %0 = graph.relu(%x) : tensor<2xf32>\n  }\n",
            "bad.cir:3:3: error: expected a node or 'return', found '}'\n"
            + "  }\n"
            + "  ^"),
        new Case("crlfLineEndings",
            "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\r\n  %0 = graph.relu(%x) : tensor<2xf32>,\r\n  return %0\r\n}\r\n",
            "bad.cir:3:3: error: expected a result type 'tensor<...>', found 'return'\n"
            + "  return %0\n"
            + "  ^~~~~~"),
        new Case("longLinesAreCut",
            H + "  %c = const dense<[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, x]> : tensor<81xf32>\n  return %x\n}\n",
            "bad.cir:2:421: error: expected a number, found 'x'\n"
            + "...1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, x]> : tensor<81xf32>\n"
            + "                                                                                   ^"),
        new Case("junkAfterBareReturn",
            "graph @g() -> () {\n  return\n  foo\n}\n",
            "bad.cir:3:3: error: expected a value or '}', found 'foo'\n"
            + "  foo\n"
            + "  ^~~"),
        new Case("controlCharacterToken",
            H + "  \u0001 = graph.relu(%x) : tensor<2xf32>\n  return %x\n}\n",
            "bad.cir:2:3: error: expected a node or 'return', found '\\01'\n"
            + "    = graph.relu(%x) : tensor<2xf32>\n"
            + "  ^")
  );

  @TestFactory
  Stream<DynamicTest> malformedInputsRenderExactly() {
    return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
      var e = assertThrows(ParseException.class, () -> IrParser.parse(c.input(), "bad.cir", Dialects.standard(),
          Map.of("w", Tensor.ofFloats(new int[] {2}, 1, 2))));
      assertEquals(c.rendered(), e.render());
    }));
  }
}
