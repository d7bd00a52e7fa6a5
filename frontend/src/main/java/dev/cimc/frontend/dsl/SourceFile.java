package dev.cimc.frontend.dsl;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The text of one {@code .cim} file with the name diagnostics show for it and, when it came from disk, its
 * path (imports and weight files resolve against the path's folder).
 */
public final class SourceFile {
  private final String name;
  private final Path path;
  private final String text;
  private final int[] lineStarts;

  public SourceFile(String name, Path path, String text) {
    this.name = name;
    this.path = path;
    this.text = text;
    int[] starts = new int[16];
    int n = 0;
    starts[n++] = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
        }
        starts[n++] = i + 1;
      }
    }
    this.lineStarts = Arrays.copyOf(starts, n);
  }

  /** A file read from {@code path}, shown under {@code path.toString()}. */
  public static SourceFile of(Path path, String text) {
    return new SourceFile(path.toString(), path, text);
  }

  /** In-memory text shown under {@code name}; imports resolve against the working folder. */
  public static SourceFile of(String name, String text) {
    return new SourceFile(name, null, text);
  }

  public String name() {
    return name;
  }

  /** The file's path, or null for in-memory text. */
  public Path path() {
    return path;
  }

  public String text() {
    return text;
  }

  public int lineCount() {
    return lineStarts.length;
  }

  /** The text of 1-based line {@code line} without its line terminator (empty past the end). */
  public String line(int line) {
    if (line < 1 || line > lineStarts.length) {
      return "";
    }
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return text.substring(start, Math.max(start, end));
  }

  @Override
  public String toString() {
    return name;
  }
}
