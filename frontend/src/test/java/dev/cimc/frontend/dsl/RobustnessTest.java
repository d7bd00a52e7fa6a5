package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.ir.diag.CimcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Damaged programs never crash the front end: every example with a token dropped, duplicated or swapped
 * for another (deterministic choices) gives diagnostics, a model, or a {@link CimcException}, and the
 * formatter either formats or reports syntax errors.
 */
class RobustnessTest {
  private static final String[] REPLACEMENTS = {"x", "1", "1.5", "\"s\"", "(", ")", "[", "]", "{", "}", ",", "=",
      "|>", "as", "repeat", "if", "else", "@quant", "-", "*", "/", "0", "true", "block", "return", ".shape", "relu"};

  @Test
  void damagedExamplesGiveDiagnosticsNotCrashes() throws Exception {
    var random = new SplittableRandom(7);
    var sources = new ArrayList<String>();
    for (Path p : ExamplesTest.files()) {
      sources.add(Files.readString(p));
    }
    Path common = ExamplesTest.examples().resolve("common.cim");
    String commonText = Files.readString(common);
    Compilation.SourceLoader loader = p -> p.getFileName().toString().equals("common.cim") ? commonText
        : Files.readString(p);
    int runs = 0;
    for (String src : sources) {
      List<int[]> tokens = tokens(src);
      for (int k = 0; k < Integer.getInteger("dsl.damage", 30); k++) {
        int[] t = tokens.get(random.nextInt(tokens.size()));
        String damaged;
        switch (random.nextInt(3)) {
          case 0:
            damaged = src.substring(0, t[0]) + src.substring(t[1]);
            break;
          case 1:
            damaged = src.substring(0, t[1]) + " " + src.substring(t[0]);
            break;
          default:
            damaged = src.substring(0, t[0]) + REPLACEMENTS[random.nextInt(REPLACEMENTS.length)] + src.substring(t[1]);
        }
        check(damaged, loader);
        runs++;
      }
    }
    if (runs == 0) {
      fail("no programs");
    }
  }

  private static void check(String damaged, Compilation.SourceLoader loader) {
    try {
      DslFrontend.analyze(SourceFile.of("damaged.cim", damaged), null, loader).render();
    } catch (CimcException expected) {
      expected.render();
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("crash on:\n" + damaged, e);
    }
    try {
      DslFormatter.format(damaged, "damaged.cim");
    } catch (DslException expected) {
      expected.render();
    } catch (RuntimeException e) {
      throw new AssertionError("formatter crash on:\n" + damaged, e);
    }
  }

  /** Rough token boundaries: runs of word characters and single other non-space characters. */
  private static List<int[]> tokens(String s) {
    var out = new ArrayList<int[]>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      int j = i + 1;
      if (Character.isLetterOrDigit(c) || c == '_') {
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
          j++;
        }
      }
      out.add(new int[] {i, j});
      i = j;
    }
    return out;
  }
}
