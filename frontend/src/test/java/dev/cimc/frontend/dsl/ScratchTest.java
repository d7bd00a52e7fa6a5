package dev.cimc.frontend.dsl;

import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void scratch() {
    String f = System.getProperty("scratch.file", "../examples/dsl/lenet5.cim");
    try {
      DslModel m = DslFrontend.load(Path.of(f));
      System.out.println(IrPrinter.toText(m.graph(), new PrintOptions(16, true, false)));
      System.out.println(m.hints());
      m.warnings().forEach(w -> System.out.println(w.render()));
    } catch (DslException e) {
      System.out.println(e.render());
    }
  }
}
