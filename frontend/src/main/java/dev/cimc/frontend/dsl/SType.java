package dev.cimc.frontend.dsl;

/** The static type of a DSL expression, as the checker infers it. */
enum SType {
  TENSOR("tensor"),
  INT("int"),
  FLOAT("float"),
  BOOL("bool"),
  STRING("string"),
  INTS("ints"),
  FLOATS("floats"),
  /** The type of an expression that already has an error: accepted everywhere, reported nowhere. */
  UNKNOWN("?");

  private final String text;

  SType(String text) {
    this.text = text;
  }

  String text() {
    return text;
  }

  /** The type with its article, as messages say it: "an int", "ints", "a tensor". */
  String withArticle() {
    switch (this) {
      case INT:
        return "an int";
      case INTS:
      case FLOATS:
        return text;
      default:
        return "a " + text;
    }
  }

  /** A type name written in a block parameter ({@code width: int}), or null. */
  static SType fromParamType(String name) {
    switch (name) {
      case "tensor":
        return TENSOR;
      case "int":
        return INT;
      case "float":
        return FLOAT;
      case "bool":
        return BOOL;
      case "string":
        return STRING;
      case "ints":
        return INTS;
      case "floats":
        return FLOATS;
      default:
        return null;
    }
  }

  static final java.util.List<String> PARAM_TYPE_NAMES =
      java.util.List.of("tensor", "int", "float", "bool", "string", "ints", "floats");
}
