package dev.cimc.frontend.dsl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file of test programs: each case starts with {@code ### name}, holds the main file's text, optional
 * further files ({@code --- file other.cim}) and the expected output after {@code --- expect}.
 */
record CaseFile(List<CaseFile.Case> cases) {
  /** One program. */
  record Case(String name, String source, Map<String, String> files, String expected) {
    /** Reads imports from the case's files, keyed by absolute path. */
    Compilation.SourceLoader loader() {
      var byPath = new LinkedHashMap<Path, String>();
      for (var e : files.entrySet()) {
        byPath.put(Path.of(e.getKey()).toAbsolutePath().normalize(), e.getValue());
      }
      return p -> {
        String text = byPath.get(p.toAbsolutePath().normalize());
        if (text == null) {
          throw new NoSuchFileException(p.toString());
        }
        return text;
      };
    }
  }

  static CaseFile read(Path file) throws IOException {
    var cases = new ArrayList<Case>();
    String name = null;
    String section = null;
    String fileName = null;
    var sb = new StringBuilder();
    String source = null;
    var files = new LinkedHashMap<String, String>();
    List<String> lines = Files.readAllLines(file);
    for (int i = 0; i <= lines.size(); i++) {
      String line = i < lines.size() ? lines.get(i) : "### ";
      if (line.startsWith("### ") || line.startsWith("--- ")) {
        String text = sb.toString();
        if (section != null) {
          if (section.equals("source")) {
            source = text;
          } else if (section.equals("file")) {
            files.put(fileName, text);
          } else {
            cases.add(new Case(name, source, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files)), text.strip()));
            files.clear();
          }
        }
        sb.setLength(0);
        if (line.startsWith("### ")) {
          name = line.substring(4).trim();
          section = "source";
        } else if (line.startsWith("--- file ")) {
          section = "file";
          fileName = line.substring(9).trim();
        } else {
          section = "expect";
        }
        continue;
      }
      sb.append(line).append('\n');
    }
    return new CaseFile(cases);
  }

  /** The file again, with each case's expected text replaced by {@code actual}. */
  static String write(List<Case> cases, List<String> actual) {
    var sb = new StringBuilder();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      sb.append("### ").append(c.name()).append('\n').append(c.source());
      for (var e : c.files().entrySet()) {
        sb.append("--- file ").append(e.getKey()).append('\n').append(e.getValue());
      }
      sb.append("--- expect\n").append(actual.get(i)).append("\n\n");
    }
    return sb.toString();
  }
}
