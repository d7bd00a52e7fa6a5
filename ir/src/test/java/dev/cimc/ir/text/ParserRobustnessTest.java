package dev.cimc.ir.text;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/**
 * Whatever the input, the parser either returns a graph or throws a {@link CimcException}, never another
 * exception, and never hangs: arbitrary strings, soups of format tokens, and valid texts with random edits.
 */
class ParserRobustnessTest {
  private static final Duration LIMIT = Duration.ofSeconds(10);
  private static final String HEADER = "graph @g(%x: tensor<2xf32>) -> tensor<2xf32> {\n";
  private static final String[] TOKENS = {
    "graph", "@g", "@w", "@\"x y\"", "(", ")", "{", "}", "[", "]", "<", ">", ",", ":", "=", "->", "%x", "%0", "%1",
    "%\"a:b\"", "%", "@", "return", "const", "dense<", "dense<[", "tensor<", "2x", "?x", "0x", "f32", "i8", "bool",
    "!q.i8<", "!q.", "scale=", "zp=", "axis=", "scales=[", "zps=[", "1", "-1", "0", "1.5", "-0.0", "nan", "-inf",
    "1e400", "1e-99999999", "99999999999999999999", "-", ".", "\"str\"", "\"\\q\"", "\"", "\"\\", "loc(", "in",
    "graph.add", "graph.conv2d", "graph.reshape", "q.quantize", "graph.", "//c\n", "\n", " ", "\t", "\r\n", "true",
    "shape", "{shape = [2]}", "tensor<2xf32>", "tensor<2x!q.u8<scale=0.5, zp=1>>", "tensor<f32>", "\u00e9", "\uD83D",
    "\uFEFF", "\u0000", "x", "=>", "}}", "%x = graph.relu(%x) : tensor<2xf32>\n", "return %x\n}\n",
  };
  private static final String PUNCTUATION = "%@\"{}()[]<>:=,-.x?!0123456789 \n\\/";
  private static final Map<String, Tensor> BLOBS = Map.of(
      "w", Tensor.ofFloats(new int[] {2}, 1, 2),
      "x y", Tensor.ofFloats(new int[] {2}, 3, 4));

  /** Parses; a CimcException is a clean answer, anything else fails the property. */
  static void parseCleanly(String text, Map<String, Tensor> blobs) {
    assertTimeoutPreemptively(LIMIT, () -> {
      try {
        IrParser.parse(text, "fuzz.cir", Dialects.standard(), blobs);
      } catch (CimcException expected) {
        // a clean diagnostic
        expected.render();
      }
    });
  }

  @Property(tries = 1000)
  void arbitraryStringsFailCleanly(@ForAll @StringLength(max = 300) String text) {
    parseCleanly(text, BLOBS);
    parseCleanly(HEADER + text, BLOBS);
  }

  @Property(tries = 1000)
  void tokenSoupFailsCleanly(@ForAll("soup") String text) {
    parseCleanly(text, BLOBS);
  }

  @Property(tries = 1000)
  void mutatedValidTextsFailCleanly(@ForAll("mutants") Sample sample) {
    parseCleanly(sample.text(), sample.blobs());
  }

  /** A text and the blobs it may refer to. */
  record Sample(String text, Map<String, Tensor> blobs) {}

  @Provide
  Arbitrary<String> soup() {
    Arbitrary<String> tokens = Arbitraries.of(TOKENS);
    return Combinators.combine(Arbitraries.of("", HEADER, "graph @g() -> () {\n"),
        tokens.list().ofMaxSize(40)).as((prefix, list) -> prefix + String.join(" ", list));
  }

  @Provide
  Arbitrary<Sample> mutants() {
    var bases = new ArrayList<Sample>();
    for (String op : Dialects.standard().names()) {
      bases.add(new Sample(GoldenFilesTest.golden(op), BLOBS));
    }
    for (long seed = 0; seed < 20; seed++) {
      var c = RandomGraphs.generate(new RandomGraphs.Choices(seed));
      var printed = IrPrinter.print(c.graph(), c.options());
      bases.add(new Sample(printed.text(), new HashMap<>(printed.blobs())));
    }
    Arbitrary<List<Integer>> edits = Arbitraries.integers().between(0, Integer.MAX_VALUE).list().ofMinSize(1)
        .ofMaxSize(24);
    return Combinators.combine(Arbitraries.of(bases), edits).as(ParserRobustnessTest::mutate);
  }

  /** Applies edits read from {@code script} in threes: what, where, with what. */
  static Sample mutate(Sample base, List<Integer> script) {
    var sb = new StringBuilder(base.text());
    for (int i = 0; i + 2 < script.size(); i += 3) {
      int len = sb.length();
      if (len == 0) {
        break;
      }
      int at = script.get(i + 1) % len;
      int arg = script.get(i + 2);
      switch (script.get(i) % 7) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.delete(at, Math.min(len, at + 1 + arg % 12));
        case 2 -> sb.insert(at, TOKENS[arg % TOKENS.length]);
        case 3 -> sb.setCharAt(at, PUNCTUATION.charAt(arg % PUNCTUATION.length()));
        case 4 -> {
          // duplicate a line
          int s = sb.lastIndexOf("\n", at) + 1;
          int e = sb.indexOf("\n", at);
          String line = sb.substring(s, e < 0 ? len : e + 1);
          sb.insert(s, line);
        }
        case 5 -> sb.setLength(at);
        default -> {
          // swap a digit for another, or a name character for another
          char ch = sb.charAt(at);
          if (Character.isDigit(ch)) {
            sb.setCharAt(at, (char) ('0' + arg % 10));
          } else if (Character.isLetter(ch)) {
            sb.setCharAt(at, (char) ('a' + arg % 26));
          }
        }
      }
    }
    return new Sample(sb.toString(), base.blobs());
  }
}
