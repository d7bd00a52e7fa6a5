package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Valid programs and the graph IR they lower to, with their layer hints and warnings
 * ({@code src/test/resources/dsl/lowering.cimtest}). {@code -Ddsl.regenerate=true} rewrites the expected
 * texts after a deliberate change.
 */
class LoweringTest {
  private static final Path CASES = Path.of("src/test/resources/dsl/lowering.cimtest");

  static String lower(CaseFile.Case c) {
    try {
      DslFrontend.Result r = DslFrontend.analyze(SourceFile.of("test.cim", c.source()), null, c.loader());
      if (r.hasErrors()) {
        return "(errors)\n" + r.render();
      }
      var sb = new StringBuilder(IrPrinter.toText(r.model().graph(), PrintOptions.dump()).strip());
      for (Map.Entry<String, LayerHints> e : r.model().hints().entrySet()) {
        sb.append("\nhints ").append(e.getKey()).append(": ").append(e.getValue());
      }
      if (!r.diagnostics().isEmpty()) {
        sb.append('\n').append(r.render());
      }
      return sb.toString();
    } catch (CimcException e) {
      return "(errors)\n" + e.render();
    }
  }

  @TestFactory
  Stream<DynamicTest> eachProgramLowersToItsExpectedGraph() throws Exception {
    CaseFile file = CaseFile.read(CASES);
    var actual = new ArrayList<String>();
    for (CaseFile.Case c : file.cases()) {
      actual.add(lower(c));
    }
    if (Boolean.getBoolean("dsl.regenerate")) {
      Files.writeString(CASES, CaseFile.write(file.cases(), actual));
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = 0; i < file.cases().size(); i++) {
      CaseFile.Case c = file.cases().get(i);
      String got = actual.get(i);
      tests.add(DynamicTest.dynamicTest(c.name(), () -> {
        assertTrue(!got.startsWith("(errors)"), got);
        assertEquals(c.expected(), got.strip());
      }));
    }
    return tests.stream();
  }
}
