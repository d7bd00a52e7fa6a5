package dev.cimc.frontend.dsl;

/**
 * One parameter of a callable (layer, block, annotation or initializer).
 *
 * @param name the argument name ({@code kernel=3})
 * @param kind what it accepts
 * @param required whether a call must give it
 * @param defaultValue the value used when a call omits it (null: absent, the lowering decides)
 * @param defaultText how the default reads in a signature ({@code 1}, {@code kernel}), or null
 */
record ParamSpec(String name, Kind kind, boolean required, Val defaultValue, String defaultText) {

  static ParamSpec required(String name, Kind kind) {
    return new ParamSpec(name, kind, true, null, null);
  }

  static ParamSpec optional(String name, Kind kind, Val defaultValue) {
    return new ParamSpec(name, kind, false, defaultValue, defaultValue == null ? null : defaultValue.text());
  }

  /** An optional parameter without a fixed default; {@code meaning} says what its absence means. */
  static ParamSpec optional(String name, Kind kind, String meaning) {
    return new ParamSpec(name, kind, false, null, meaning);
  }

  String describe() {
    String s = name + ": " + (kind == null ? "?" : kind.text()) + (kind == Kind.TENSORS ? "..." : "");
    return defaultText == null ? s : s + " = " + defaultText;
  }
}
