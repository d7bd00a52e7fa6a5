package dev.cimc.frontend.dsl;

/** What a parameter of a layer, block, annotation or initializer accepts. */
enum Kind {
  TENSOR("tensor"),
  /** One or more tensors (variadic: takes every remaining positional argument). */
  TENSORS("tensors"),
  INT("int"),
  /** A list of ints; a single int is accepted and repeated as the layer needs. */
  INTS("ints"),
  /** A float; an int is accepted. */
  FLOAT("float"),
  /** A list of floats; ints and single numbers are accepted. */
  FLOATS("floats"),
  BOOL("bool"),
  STRING("string"),
  /** A bare word such as {@code channel} in {@code @quant(granularity=channel)}, or a string. */
  SYMBOL("name");

  private final String text;

  Kind(String text) {
    this.text = text;
  }

  String text() {
    return text;
  }

  /** The kind with its article, as messages say it: "an int", "ints", "a tensor". */
  String withArticle() {
    switch (this) {
      case INT:
        return "an int";
      case INTS:
      case FLOATS:
        return text;
      case TENSORS:
        return "a tensor";
      default:
        return "a " + text;
    }
  }

  boolean isTensor() {
    return this == TENSOR || this == TENSORS;
  }

  /** Whether an argument of static type {@code t} fits. */
  boolean accepts(SType t) {
    switch (this) {
      case TENSOR:
      case TENSORS:
        return t == SType.TENSOR;
      case INT:
        return t == SType.INT;
      case INTS:
        return t == SType.INT || t == SType.INTS;
      case FLOAT:
        return t == SType.INT || t == SType.FLOAT;
      case FLOATS:
        return t == SType.INT || t == SType.FLOAT || t == SType.INTS || t == SType.FLOATS;
      case BOOL:
        return t == SType.BOOL;
      case STRING:
      case SYMBOL:
        return t == SType.STRING;
      default:
        throw new IllegalStateException("kind " + this);
    }
  }

  /** The parameter kind of a block parameter declared with static type {@code t}. */
  static Kind of(SType t) {
    switch (t) {
      case TENSOR:
        return TENSOR;
      case INT:
        return INT;
      case FLOAT:
        return FLOAT;
      case BOOL:
        return BOOL;
      case STRING:
        return STRING;
      case INTS:
        return INTS;
      case FLOATS:
        return FLOATS;
      default:
        throw new IllegalStateException("no parameter kind for " + t);
    }
  }
}
