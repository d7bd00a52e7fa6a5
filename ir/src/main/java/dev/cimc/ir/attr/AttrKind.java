package dev.cimc.ir.attr;

/** Kinds of attribute values an op's schema can ask for. */
public enum AttrKind {
  INT("int"),
  FLOAT("float"),
  BOOL("bool"),
  STRING("string"),
  INTS("int list"),
  FLOATS("float list"),
  STRINGS("string list"),
  TENSOR("tensor"),
  TYPE("element type");

  private final String description;

  AttrKind(String description) {
    this.description = description;
  }

  /** A human phrase for diagnostics, e.g. "int list". */
  public String description() {
    return description;
  }
}
