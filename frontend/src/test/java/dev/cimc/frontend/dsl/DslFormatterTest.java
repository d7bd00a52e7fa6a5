package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@code cimc fmt}: the canonical layout, comments kept, idempotent on every test program. */
class DslFormatterTest {
  private static final Pattern COMMENT = Pattern.compile("//[^\n]*|/\\*(?s:.*?)\\*/");

  @Test
  void printsTheCanonicalLayoutAndKeepsComments() {
    String messy = """
        // header comment


        import "common.cim"   // shared blocks
        const W = 64 // width
        const   H=2*W+1
        /* block comment
           spanning lines */
        block b(x,n:int=3 ,) { // opening
          // first
          y = x |> relu // after relu
              |> conv2d(n, kernel = 3) // conv
          /* before return */ return y
          // dangling at end of body
        }
        model m(x: f32[1,3,8,8]) {
          init zeros
          z = x |> b(4)
          q = if 1 < 2 { z } else if 2 < 3 { z |> relu } else { z |> relu |> relu }


          return z, q // outs
        }
        // trailing file comment
        """;
    String expected = """
        // header comment

        import "common.cim" // shared blocks
        const W = 64 // width
        const H = 2 * W + 1

        /* block comment
           spanning lines */
        block b(x, n: int = 3) { // opening
          // first
          y = x
            |> relu // after relu
            |> conv2d(n, kernel=3) // conv
          /* before return */
          return y
          // dangling at end of body
        }

        model m(x: f32[1, 3, 8, 8]) {
          init zeros
          z = x |> b(4)
          q = if 1 < 2 { z } else if 2 < 3 { z |> relu } else { z |> relu |> relu }

          return z, q // outs
        }
        // trailing file comment
        """;
    assertEquals(expected, DslFormatter.format(messy, "m.cim"));
    assertEquals(expected, DslFormatter.format(expected, "m.cim"));
  }

  @Test
  void breaksLongPipelinesAndIfs() {
    String src = "block b(x, n: int) { return x |> relu |> relu |> relu |> relu }\n"
        + "block c(x, n: int) { y = if n > 1000000000 && n < 2000000000 { x |> conv2d(n, kernel=3, stride=2, pad=1,"
        + " bias=false) } else { x }\n return y }\n";
    String expected = """
        block b(x, n: int) {
          return x
            |> relu
            |> relu
            |> relu
            |> relu
        }

        block c(x, n: int) {
          y = if n > 1000000000 && n < 2000000000 {
            x |> conv2d(n, kernel=3, stride=2, pad=1, bias=false)
          } else {
            x
          }
          return y
        }
        """;
    assertEquals(expected, DslFormatter.format(src, "b.cim"));
    assertEquals(expected, DslFormatter.format(expected, "b.cim"));
  }

  @Test
  void aFileWithSyntaxErrorsIsNotFormatted() {
    DslException e = assertThrows(DslException.class, () -> DslFormatter.format("model m( {\n}\n", "bad.cim"));
    assertEquals("""
        bad.cim:1:10: error: unexpected `{`, expected `)` or a name
        model m( {
                 ^""", e.render());
  }

  /** Every program of the test suites that parses (main files and imported ones). */
  static List<String[]> programs() throws Exception {
    var out = new ArrayList<String[]>();
    for (String suite : List.of("malformed", "lowering")) {
      for (CaseFile.Case c : CaseFile.read(Path.of("src/test/resources/dsl/" + suite + ".cimtest")).cases()) {
        out.add(new String[] {suite + ": " + c.name(), c.source()});
        for (var f : c.files().entrySet()) {
          out.add(new String[] {suite + ": " + c.name() + " / " + f.getKey(), f.getValue()});
        }
      }
    }
    return out;
  }

  @TestFactory
  Stream<DynamicTest> formattingIsIdempotentAndKeepsEveryComment() throws Exception {
    var tests = new ArrayList<DynamicTest>();
    for (String[] p : programs()) {
      String once;
      try {
        once = DslFormatter.format(p[1], "t.cim");
      } catch (DslException syntaxError) {
        continue;
      }
      String formatted = once;
      tests.add(DynamicTest.dynamicTest(p[0], () -> {
        assertEquals(formatted, DslFormatter.format(formatted, "t.cim"));
        assertEquals(comments(p[1]), comments(formatted));
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> formattedProgramsLowerToTheSameGraph() throws Exception {
    var tests = new ArrayList<DynamicTest>();
    for (CaseFile.Case c : CaseFile.read(Path.of("src/test/resources/dsl/lowering.cimtest")).cases()) {
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        var formatted = new CaseFile.Case(c.name(), DslFormatter.format(c.source(), "test.cim"), c.files(),
            c.expected());
        String lowered = LoweringTest.lower(formatted);
        // Warnings quote source lines, which formatting may change; the graph and hints must not.
        int warnings = lowered.indexOf("\ntest.cim:");
        int expected = c.expected().indexOf("\ntest.cim:");
        assertEquals(expected < 0 ? c.expected() : c.expected().substring(0, expected),
            warnings < 0 ? lowered.strip() : lowered.substring(0, warnings));
      }));
    }
    return tests.stream();
  }

  private static List<String> comments(String source) {
    var out = new ArrayList<String>();
    Matcher m = COMMENT.matcher(source);
    while (m.find()) {
      out.add(m.group().strip());
    }
    return out;
  }
}
