package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads pipeline text: {@code pass (',' pass)*} where {@code pass = name ('{' (key '=' value)* '}')?},
 * options separated by spaces or commas, values bare words or double-quoted strings with {@code \" \\ \n
 * \t} escapes. Whitespace (newlines included) may surround every token.
 */
final class PipelineParser {
  private final String source;
  private final String text;
  private final PassRegistry registry;
  private final List<Integer> passOffsets = new ArrayList<>();
  private int pos;

  PipelineParser(String source, String text, PassRegistry registry) {
    this.source = source;
    this.text = text;
    this.registry = registry;
  }

  List<Pass> parse() {
    var passes = new ArrayList<Pass>();
    skipSpace();
    if (pos == text.length()) {
      return passes;
    }
    while (true) {
      skipSpace();
      passes.add(parsePass());
      skipSpace();
      if (pos == text.length()) {
        return passes;
      }
      char c = text.charAt(pos);
      if (c == ',') {
        pos++;
      } else if (c == '}') {
        throw error(pos, "unbalanced '}'", null);
      } else {
        throw error(pos, "expected ',' between passes, got " + describe(pos), null);
      }
    }
  }

  private Pass parsePass() {
    int start = pos;
    String name = word();
    if (name.isEmpty()) {
      if (pos == text.length()) {
        throw error(pos, "expected a pass name at the end of the pipeline", null);
      }
      if (text.charAt(pos) == '}') {
        throw error(pos, "unbalanced '}'", null);
      }
      throw error(pos, "expected a pass name, got " + describe(pos), null);
    }
    PassDef def = registry.lookup(name).orElse(null);
    if (def == null) {
      CimcException e = registry.unknownPass(name);
      throw error(start, e.getMessage(), e.hint());
    }
    passOffsets.add(start);
    skipSpace();
    PassOptions options = def.defaultOptions();
    if (pos < text.length() && text.charAt(pos) == '{') {
      options = parseOptions(def);
    }
    return def.create(options);
  }

  private PassOptions parseOptions(PassDef def) {
    int open = pos++;
    PassOptions options = def.defaultOptions();
    var seen = new ArrayList<String>();
    while (true) {
      while (pos < text.length() && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ',')) {
        pos++;
      }
      if (pos == text.length()) {
        throw error(open, "unbalanced '{': missing '}'", null);
      }
      if (text.charAt(pos) == '}') {
        pos++;
        return options;
      }
      int keyStart = pos;
      String key = word();
      if (key.isEmpty()) {
        throw error(pos, "expected an option name, got " + describe(pos), null);
      }
      skipSpace();
      if (pos == text.length() || text.charAt(pos) != '=') {
        throw error(pos, "expected '=' after option '" + key + "'", null);
      }
      pos++;
      skipSpace();
      int valueStart = pos;
      String value = value(key);
      int index = def.optionIndex(key);
      if (index < 0) {
        CimcException e = def.unknownOption(key);
        throw error(keyStart, e.getMessage(), e.hint());
      }
      if (seen.contains(key)) {
        throw error(keyStart, "option '" + key + "' of pass '" + def.name() + "' is given twice", null);
      }
      seen.add(key);
      try {
        options = options.withChecked(index, def.options().get(index).parse(value, def.name()));
      } catch (CimcException e) {
        throw error(valueStart, e.getMessage(), e.hint());
      }
    }
  }

  /** A bare value or a quoted string. */
  private String value(String key) {
    if (pos < text.length() && text.charAt(pos) == '"') {
      int open = pos++;
      var sb = new StringBuilder();
      while (true) {
        if (pos == text.length()) {
          throw error(open, "unterminated string", null);
        }
        char c = text.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          if (pos == text.length()) {
            throw error(open, "unterminated string", null);
          }
          char e = text.charAt(pos++);
          switch (e) {
            case '"' -> sb.append('"');
            case '\\' -> sb.append('\\');
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            default -> throw error(pos - 2, "unknown escape '\\" + e + "' in string", "use \\\", \\\\, \\n or \\t");
          }
        } else {
          sb.append(c);
        }
      }
    }
    int start = pos;
    while (pos < text.length() && PassOption.isBareChar(text.charAt(pos))) {
      pos++;
    }
    if (pos == start) {
      throw error(pos, "expected a value for option '" + key + "', got " + describe(pos), null);
    }
    return text.substring(start, pos);
  }

  /** A name: letters, digits, '-' and '_'. */
  private String word() {
    int start = pos;
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        break;
      }
      pos++;
    }
    return text.substring(start, pos);
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private String describe(int at) {
    return at >= text.length() ? "the end of the pipeline" : "'" + text.charAt(at) + "'";
  }

  /** The location of the i-th pass's name. */
  Location location(int passIndex) {
    return locationAt(passOffsets.get(passIndex));
  }

  String detail(int passIndex) {
    return detailAt(passOffsets.get(passIndex));
  }

  private CimcException error(int offset, String message, String hint) {
    return new CimcException(locationAt(offset), message, hint, detailAt(offset), null);
  }

  private Location locationAt(int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return Location.file(source, line, offset - lineStart + 1);
  }

  /** The source line holding {@code offset} and a caret under it. */
  private String detailAt(int offset) {
    int lineStart = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
    if (offset == 0) {
      lineStart = 0;
    }
    int lineEnd = text.indexOf('\n', lineStart);
    String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
    return line + "\n" + " ".repeat(offset - lineStart) + "^";
  }
}
