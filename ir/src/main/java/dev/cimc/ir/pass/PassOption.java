package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A typed option of a pass: its kebab-case name (as written in a pipeline, {@code max-elements=100}), type,
 * default, and a one-line description. Values are {@code Long} (int), {@code Boolean}, {@code Double} or
 * {@code String} (string and enum).
 *
 * @param name kebab-case option name
 * @param type the value type
 * @param defaultValue the value used when the pipeline does not set the option
 * @param description one line for {@code cimc passes}
 * @param min smallest allowed int value ({@link Long#MIN_VALUE} if unbounded)
 * @param max largest allowed int value ({@link Long#MAX_VALUE} if unbounded)
 * @param choices the allowed values of an enum option (empty otherwise)
 */
public record PassOption(String name, Type type, Object defaultValue, String description, long min, long max,
    List<String> choices) {

  /** Value types an option may have. */
  public enum Type {
    INT("int"), BOOL("bool"), DOUBLE("double"), STRING("string"), ENUM("enum");

    private final String text;

    Type(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

  public PassOption {
    PassDef.checkKebab(name, "option name");
    Objects.requireNonNull(type);
    Objects.requireNonNull(description);
    choices = List.copyOf(choices);
    if (type == Type.ENUM && choices.isEmpty()) {
      throw new IllegalArgumentException("enum option '" + name + "' has no choices");
    }
    for (String c : choices) {
      if (!isBare(c)) {
        throw new IllegalArgumentException("choice '" + c + "' of option '" + name + "' is not a bare word");
      }
    }
    if (min > max) {
      throw new IllegalArgumentException("option '" + name + "' has min " + min + " > max " + max);
    }
    defaultValue = checkValue(name, type, defaultValue, min, max, choices);
  }

  /** An int option (stored as a long) with no bounds. */
  public static PassOption intOption(String name, long defaultValue, String description) {
    return intOption(name, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE, description);
  }

  /** An int option whose values must lie in {@code [min, max]}. */
  public static PassOption intOption(String name, long defaultValue, long min, long max, String description) {
    return new PassOption(name, Type.INT, defaultValue, description, min, max, List.of());
  }

  public static PassOption boolOption(String name, boolean defaultValue, String description) {
    return new PassOption(name, Type.BOOL, defaultValue, description, Long.MIN_VALUE, Long.MAX_VALUE, List.of());
  }

  /** A double option; values must be finite. */
  public static PassOption doubleOption(String name, double defaultValue, String description) {
    return new PassOption(name, Type.DOUBLE, defaultValue, description, Long.MIN_VALUE, Long.MAX_VALUE, List.of());
  }

  public static PassOption stringOption(String name, String defaultValue, String description) {
    return new PassOption(name, Type.STRING, defaultValue, description, Long.MIN_VALUE, Long.MAX_VALUE, List.of());
  }

  /** A string option restricted to {@code choices} (bare words). */
  public static PassOption enumOption(String name, String defaultValue, List<String> choices, String description) {
    return new PassOption(name, Type.ENUM, defaultValue, description, Long.MIN_VALUE, Long.MAX_VALUE, choices);
  }

  /** "int", "int >= 1", "int in [0, 8]", "bool", "double", "string", "one of a|b". */
  public String typeText() {
    if (type == Type.ENUM) {
      return "one of " + String.join("|", choices);
    }
    if (type == Type.INT) {
      if (min != Long.MIN_VALUE && max != Long.MAX_VALUE) {
        return "int in [" + min + ", " + max + "]";
      }
      if (min != Long.MIN_VALUE) {
        return "int >= " + min;
      }
      if (max != Long.MAX_VALUE) {
        return "int <= " + max;
      }
    }
    return type.text();
  }

  /**
   * Reads a value as written in a pipeline (unquoted). Throws a {@link CimcException} without location
   * naming the option and {@code passName} when the text is not a valid value.
   */
  public Object parse(String text, String passName) {
    Object v;
    switch (type) {
      case INT -> {
        if (!INTEGER.matcher(text).matches()) {
          throw bad(passName, "expects an int", text);
        }
        try {
          v = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
          throw bad(passName, "expects an int", text);
        }
      }
      case BOOL -> {
        if (text.equals("true")) {
          v = Boolean.TRUE;
        } else if (text.equals("false")) {
          v = Boolean.FALSE;
        } else {
          throw bad(passName, "expects a bool (true or false)", text);
        }
      }
      case DOUBLE -> {
        if (!DECIMAL.matcher(text).matches()) {
          throw bad(passName, "expects a double", text);
        }
        v = Double.parseDouble(text);
      }
      default -> v = text;
    }
    try {
      return checkValue(name, type, v, min, max, choices);
    } catch (IllegalArgumentException e) {
      throw new CimcException("option '" + name + "' of pass '" + passName + "' " + e.getMessage(), null);
    }
  }

  /** Checks a programmatic value (an Integer is widened to Long); throws {@link IllegalArgumentException}. */
  Object validate(Object value, String passName) {
    try {
      return checkValue(name, type, value, min, max, choices);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("option '" + name + "' of pass '" + passName + "' " + e.getMessage(), e);
    }
  }

  private CimcException bad(String passName, String expects, String text) {
    return new CimcException("option '" + name + "' of pass '" + passName + "' " + expects + ", got '" + text + "'",
        null);
  }

  private static Object checkValue(String name, Type type, Object v, long min, long max, List<String> choices) {
    Objects.requireNonNull(v, "value of option " + name);
    switch (type) {
      case INT -> {
        if (v instanceof Integer i) {
          v = i.longValue();
        }
        if (!(v instanceof Long l)) {
          throw new IllegalArgumentException("expects an int, got " + v.getClass().getSimpleName());
        }
        if (l < min) {
          throw new IllegalArgumentException("must be at least " + min + ", got " + l);
        }
        if (l > max) {
          throw new IllegalArgumentException("must be at most " + max + ", got " + l);
        }
      }
      case BOOL -> {
        if (!(v instanceof Boolean)) {
          throw new IllegalArgumentException("expects a bool, got " + v.getClass().getSimpleName());
        }
      }
      case DOUBLE -> {
        if (v instanceof Float f) {
          v = f.doubleValue();
        }
        if (!(v instanceof Double d) || !Double.isFinite(d)) {
          throw new IllegalArgumentException("expects a finite double, got " + v);
        }
      }
      case STRING -> {
        if (!(v instanceof String)) {
          throw new IllegalArgumentException("expects a string, got " + v.getClass().getSimpleName());
        }
      }
      case ENUM -> {
        if (!(v instanceof String s) || !choices.contains(s)) {
          throw new IllegalArgumentException("must be one of: " + String.join(", ", choices) + "; got '" + v + "'");
        }
      }
      default -> throw new IllegalStateException("unhandled option type " + type);
    }
    return v;
  }

  /** The canonical spelling of a value, which {@link #parse} reads back to an equal value. */
  public String format(Object value) {
    if (type == Type.DOUBLE) {
      return Double.toString((Double) value);
    }
    if (type == Type.STRING) {
      return quoteIfNeeded((String) value);
    }
    return String.valueOf(value);
  }

  /** True if a string value can be written without quotes in a pipeline. */
  static boolean isBare(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isBareChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static boolean isBareChar(char c) {
    return c > ' ' && c != ',' && c != '{' && c != '}' && c != '"' && c != '=' && c != '\\' && c != 0x7F;
  }

  private static String quoteIfNeeded(String s) {
    if (isBare(s)) {
      return s;
    }
    var sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
