package dev.cimc.frontend.dsl;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The files of one compilation: the main file and everything it imports, transitively, each parsed once.
 * Imports resolve against the importing file's folder; a cycle of imports is an error at the import that
 * closes it.
 */
final class Compilation {
  /** Reads source text; the file system normally, a map in tests. */
  @FunctionalInterface
  interface SourceLoader {
    String read(Path path) throws IOException;
  }

  private final SourceLoader loader;
  private final Diagnostics diagnostics;
  private final List<ProgramParser.Parsed> files = new ArrayList<>();
  private final Set<Path> loaded = new HashSet<>();
  private final List<Path> stack = new ArrayList<>();

  private Compilation(SourceLoader loader, Diagnostics diagnostics) {
    this.loader = loader;
    this.diagnostics = diagnostics;
  }

  /** Parses {@code main} and its imports; files with syntax errors have a null program. */
  static List<ProgramParser.Parsed> load(SourceFile main, SourceLoader loader, Diagnostics diagnostics) {
    var c = new Compilation(loader, diagnostics);
    c.visit(main, key(main));
    return List.copyOf(c.files);
  }

  private static Path key(SourceFile f) {
    return (f.path() != null ? f.path() : Path.of(f.name())).toAbsolutePath().normalize();
  }

  private void visit(SourceFile file, Path key) {
    loaded.add(key);
    stack.add(key);
    ProgramParser.Parsed parsed = ProgramParser.parse(file, diagnostics);
    files.add(parsed);
    if (parsed.program() != null) {
      for (Ast.Item item : parsed.program().items()) {
        if (item instanceof Ast.Import imp) {
          importFile(file, imp);
        }
      }
    }
    stack.remove(stack.size() - 1);
  }

  private void importFile(SourceFile from, Ast.Import imp) {
    Path dir = parentOf(from.path() != null ? from.path() : Path.of(from.name()));
    Path target = dir.resolve(imp.path()).normalize();
    Path key = target.toAbsolutePath().normalize();
    int onStack = stack.indexOf(key);
    if (onStack >= 0) {
      var chain = new ArrayList<String>();
      for (int i = onStack; i < stack.size(); i++) {
        chain.add("`" + stack.get(i).getFileName() + "`");
      }
      chain.add("`" + key.getFileName() + "`");
      diagnostics.error(imp.pathSpan(), "import cycle: " + String.join(" → ", chain),
          "move what both files need into a third file that imports neither");
      return;
    }
    if (loaded.contains(key)) {
      return;
    }
    String text;
    try {
      text = loader.read(target);
    } catch (NoSuchFileException e) {
      diagnostics.error(imp.pathSpan(), "cannot read import `" + imp.path() + "`: no such file",
          "imports are resolved against the folder of the importing file: " + target);
      return;
    } catch (IOException e) {
      diagnostics.error(imp.pathSpan(), "cannot read import `" + imp.path() + "`: " + e.getMessage(), null);
      return;
    }
    visit(new SourceFile(target.toString(), target, text), key);
  }

  /** The folder names in a file resolve against (the working folder for a bare file name). */
  static Path parentOf(Path file) {
    Path p = file.getParent();
    return p == null ? Path.of("") : p;
  }
}
