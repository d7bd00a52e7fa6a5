package dev.cimc.frontend.dsl;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FmtScratchTest {
  @Test
  void fmt() throws Exception {
    String f = System.getProperty("scratch.file", "../examples/dsl/lenet5.cim");
    String src = Files.readString(Path.of(f));
    String once = DslFormatter.format(src, f);
    String twice = DslFormatter.format(once, f);
    System.out.println(once);
    System.out.println(once.equals(src) ? "UNCHANGED" : "CHANGED");
    System.out.println(once.equals(twice) ? "IDEMPOTENT" : "NOT IDEMPOTENT:\n" + twice);
  }
}
