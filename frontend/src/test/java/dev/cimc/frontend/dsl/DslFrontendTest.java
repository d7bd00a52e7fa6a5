package dev.cimc.frontend.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public entry points: files on disk, imports next to them, model selection, the benchmark. */
class DslFrontendTest {
  @TempDir
  Path dir;

  @Test
  void importsResolveAgainstTheImportingFile() throws Exception {
    Files.createDirectories(dir.resolve("lib"));
    Files.writeString(dir.resolve("lib/blocks.cim"), "import \"more.cim\"\nblock twice(x) {\n  return x |> act |> act\n}\n");
    Files.writeString(dir.resolve("lib/more.cim"), "block act(x) {\n  return x |> relu\n}\n");
    Files.writeString(dir.resolve("net.cim"), "import \"lib/blocks.cim\"\nimport \"lib/more.cim\"\n"
        + "model net(x: f32[1, 4]) {\n  return x |> twice |> act\n}\n");
    DslModel m = DslFrontend.load(dir.resolve("net.cim"));
    assertEquals(3, m.graph().size());
  }

  @Test
  void errorsInImportedFilesNameThoseFiles() throws Exception {
    Files.writeString(dir.resolve("lib.cim"), "block b(x) {\n  return x |> rellu\n}\n");
    Files.writeString(dir.resolve("net.cim"), "import \"lib.cim\"\nmodel net(x: f32[1, 4]) {\n  return x |> b\n}\n");
    DslException e = assertThrows(DslException.class, () -> DslFrontend.load(dir.resolve("net.cim")));
    assertEquals(dir.resolve("lib.cim") + ":2:15: error: unknown layer `rellu`\n  return x |> rellu\n"
        + "              ^~~~~\nhint: did you mean `relu`?", e.render());
    assertEquals(1, e.exitCode());
  }

  @Test
  void aFileWithSeveralModelsNeedsAName() throws Exception {
    Path f = dir.resolve("two.cim");
    Files.writeString(f, "model a(x: f32[1]) {\n  return x\n}\nmodel b(x: f32[2]) {\n  return x |> relu\n}\n");
    CimcException e = assertThrows(CimcException.class, () -> DslFrontend.load(f));
    assertEquals(f + ": error: the file declares 2 models: a, b\nhint: choose one by name (cimc: --model NAME)",
        e.render());
    assertEquals("b", DslFrontend.load(f, "b").graph().name());
    CimcException missing = assertThrows(CimcException.class, () -> DslFrontend.load(f, "c"));
    assertEquals("no model `c` in this file", missing.getMessage());
  }

  @Test
  void aMissingFileIsAUserError() {
    CimcException e = assertThrows(CimcException.class, () -> DslFrontend.load(dir.resolve("none.cim")));
    assertEquals(dir.resolve("none.cim") + ": error: no such file", e.render());
  }

  @Test
  void theBenchmarkCompilesItsGeneratedProgram() {
    String program = DslBenchmark.generate(50);
    assertEquals(54, program.lines().count() - 1);
    DslBenchmark.Result r = DslBenchmark.run(500, 1, 1);
    assertEquals(500, r.layers());
    assertTrue(r.linesPerSecond() > 0);
  }
}
