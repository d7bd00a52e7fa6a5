package dev.cimc.ir.diag;

/** Where an IR entity or an error comes from: a position in a text file, a node name in an imported model, or nowhere. */
public sealed interface Location {
  /** The location used when nothing better is known. */
  Location UNKNOWN = new Unknown();

  /** A 1-based line and column in a named file ({@code "<stdin>"} for standard input). */
  record FileLineCol(String file, int line, int col) implements Location {
    @Override
    public String toString() {
      return file + ":" + line + ":" + col;
    }
  }

  /** A name from another format, e.g. the ONNX node name, with the file it came from. */
  record Named(String file, String name) implements Location {
    @Override
    public String toString() {
      return file == null ? "node '" + name + "'" : file + ": node '" + name + "'";
    }
  }

  /** A whole file, when no finer position applies (e.g. a binary tensor file). Prints as the file name. */
  record FileOnly(String file) implements Location {
    @Override
    public String toString() {
      return file;
    }
  }

  /** No location. */
  record Unknown() implements Location {
    @Override
    public String toString() {
      return "<unknown>";
    }
  }

  /** A location naming a whole file. */
  static Location file(String file) {
    return new FileOnly(file);
  }

  static Location file(String file, int line, int col) {
    return new FileLineCol(file, line, col);
  }
}
