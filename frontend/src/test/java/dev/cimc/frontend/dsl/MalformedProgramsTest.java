package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Malformed programs and their exact diagnostics ({@code src/test/resources/dsl/malformed.cimtest}):
 * every error of a file, rendered with location, source line, caret range and hint. Run with
 * {@code -Ddsl.regenerate=true} to rewrite the expected texts after a deliberate change (then review the diff).
 */
class MalformedProgramsTest {
  private static final Path CASES = Path.of("src/test/resources/dsl/malformed.cimtest");

  static String diagnose(CaseFile.Case c) {
    try {
      DslFrontend.Result r = DslFrontend.analyze(SourceFile.of("test.cim", c.source()), null, c.loader());
      return (r.hasErrors() ? "" : "(compiles)\n") + r.render();
    } catch (CimcException e) {
      return e.render();
    }
  }

  @TestFactory
  Stream<DynamicTest> eachProgramHasItsExactDiagnostics() throws Exception {
    CaseFile file = CaseFile.read(CASES);
    var actual = new ArrayList<String>();
    for (CaseFile.Case c : file.cases()) {
      actual.add(diagnose(c));
    }
    if (Boolean.getBoolean("dsl.regenerate")) {
      Files.writeString(CASES, CaseFile.write(file.cases(), actual));
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < file.cases().size(); i++) {
      CaseFile.Case c = file.cases().get(i);
      String got = actual.get(i);
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        assertFalse(got.startsWith("(compiles)"), "the program compiles:\n" + got);
        assertEquals(c.expected(), got.strip());
      }));
    }
    return tests.stream();
  }

  @Test
  void thereAreAtLeastThirtyPrograms() throws Exception {
    assertTrue(CaseFile.read(CASES).cases().size() >= 30);
  }
}
