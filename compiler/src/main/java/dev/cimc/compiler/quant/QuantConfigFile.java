package dev.cimc.compiler.quant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.config.ActivationSpec;
import dev.cimc.ir.quant.config.LayerMatch;
import dev.cimc.ir.quant.config.LayerRule;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.WeightSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a mixed-precision config ({@code --quant-config FILE}, format in docs/quantization-config.md) from
 * JSON ({@code .json}) or YAML ({@code .yaml}, {@code .yml}) into a {@link QuantConfig}. Every error names
 * the file, line and column, shows the line with a caret, and gives a hint; unknown keys and values get a
 * "did you mean". Rules remember where they were written, so warnings about them point at the file too.
 */
public final class QuantConfigFile {
  private QuantConfigFile() {}

  private static final List<String> TOP = List.of("version", "defaults", "layers");
  private static final List<String> DEFAULTS = List.of("weight", "activation");
  private static final List<String> LAYER = List.of("name", "op", "weight", "activation", "float");
  private static final List<String> WEIGHT = List.of("bits", "symmetric", "per_channel", "pow2", "scheme");
  private static final List<String> ACTIVATION = List.of("bits", "symmetric", "pow2", "range");
  private static final List<String> SCHEMES = List.of("affine", "log2", "fp16");

  /** Reads {@code file}; the format follows the extension. */
  public static QuantConfig read(Path file) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
    if (!yaml && !lower.endsWith(".json")) {
      throw new CimcException(Location.file(file.toString()), "unknown quantization config kind",
          "give a .yaml, .yml or .json file");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    } catch (CharacterCodingException e) {
      throw new CimcException(Location.file(file.toString()), "not UTF-8 text", "a config file is UTF-8 text");
    } catch (IOException e) {
      throw new CimcException(Location.file(file.toString()), "cannot read: "
          + dev.cimc.ir.io.AtomicFile.describe(e), null);
    }
    return parse(file.toString(), text, yaml);
  }

  /** Parses {@code text} (YAML if {@code yaml}, else JSON); {@code fileName} is used in messages. */
  public static QuantConfig parse(String fileName, String text, boolean yaml) {
    JsonFactory f = yaml ? YAMLFactory.builder().build()
        : JsonFactory.builder().enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION).build();
    var r = new Reader(fileName, text);
    try (JsonParser p = f.createParser(text)) {
      r.p = p;
      JsonToken t = p.nextToken();
      if (t == null) {
        throw r.error(Location.file(fileName, 1, 1), "the config is empty",
            "write at least `layers:` with one rule; see docs/quantization-config.md");
      }
      QuantConfig c = r.top();
      if (p.nextToken() != null) {
        throw r.error(r.here(), "unexpected content after the config", "a config file holds one object");
      }
      return c;
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      Location loc = l == null ? Location.file(fileName) : Location.file(fileName, Math.max(1, l.getLineNr()),
          Math.max(1, l.getColumnNr()));
      throw r.error(loc, "malformed " + (yaml ? "YAML" : "JSON") + ": " + problem(e.getOriginalMessage()),
          yaml ? "check the indentation and the `key: value` syntax" : "check quotes, commas and brackets");
    } catch (IOException e) {
      throw new CimcException(Location.file(fileName), "cannot read: " + e.getMessage(), null);
    }
  }

  /**
   * The parser's problem in one line: JSON's first line; SnakeYAML's context and problem lines joined, without
   * its own position lines (the location says where).
   */
  private static String problem(String s) {
    if (s == null) {
      return "syntax error";
    }
    var parts = new ArrayList<String>();
    for (String line : s.split("\n")) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("in 'reader'") || t.startsWith("at [Source") || t.startsWith("^")
          || line.startsWith("    ")) {
        continue;
      }
      parts.add(t);
    }
    return parts.isEmpty() ? "syntax error" : String.join(": ", parts);
  }

  /** A recursive-descent reader over the parser's tokens, which carry the source positions. */
  private static final class Reader {
    final String file;
    final String[] lines;
    JsonParser p;

    Reader(String file, String text) {
      this.file = file;
      this.lines = text.split("\r?\n", -1);
    }

    QuantConfig top() throws IOException {
      expectObject("the config");
      WeightSpec w = WeightSpec.NONE;
      ActivationSpec a = ActivationSpec.NONE;
      List<LayerRule> layers = List.of();
      var seen = new HashSet<String>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = key(TOP, seen, "top-level");
        p.nextToken();
        switch (key) {
          case "version" -> {
            Location at = here();
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() != 1) {
              throw error(at, "unsupported config version " + p.getText(), "this cimc reads `version: 1`");
            }
          }
          case "defaults" -> {
            expectObject("`defaults`");
            var seenD = new HashSet<String>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String k = key(DEFAULTS, seenD, "`defaults`");
              p.nextToken();
              if (k.equals("weight")) {
                w = weight();
              } else {
                a = activation();
              }
            }
          }
          default -> layers = layers();
        }
      }
      return new QuantConfig(w, a, layers);
    }

    List<LayerRule> layers() throws IOException {
      if (p.currentToken() != JsonToken.START_ARRAY) {
        throw error(here(), "`layers` must be a list of rules, got " + describe(p.currentToken()),
            "write `layers:` followed by `- name: ...` entries");
      }
      var out = new ArrayList<LayerRule>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        out.add(layer());
      }
      return out;
    }

    LayerRule layer() throws IOException {
      Location at = here();
      expectObject("a layer rule");
      String name = null;
      String op = null;
      WeightSpec w = null;
      ActivationSpec a = null;
      boolean keepFloat = false;
      Location floatAt = null;
      var seen = new HashSet<String>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = key(LAYER, seen, "a layer rule");
        Location keyAt = here();
        p.nextToken();
        switch (key) {
          case "name" -> name = string("`name`");
          case "op" -> op = string("`op`");
          case "weight" -> w = weight();
          case "activation" -> a = activation();
          default -> {
            floatAt = keyAt;
            keepFloat = bool("`float`");
          }
        }
      }
      if (name == null && op == null) {
        throw error(at, "a layer rule needs `name` or `op`", "e.g. `- name: \"conv1*\"` or `- op: conv2d`");
      }
      if (keepFloat && (w != null && !w.isEmpty() || a != null && a.setsScheme())) {
        throw error(floatAt, "a layer with `float: true` takes no weight or activation scheme",
            "drop `float: true` or the scheme settings");
      }
      return new LayerRule(new LayerMatch(name, op), w, a, keepFloat, at);
    }

    WeightSpec weight() throws IOException {
      expectObject("`weight`");
      Integer bits = null;
      Location bitsAt = null;
      Boolean sym = null;
      Boolean perChannel = null;
      Boolean pow2 = null;
      QuantScheme.Kind kind = null;
      var seen = new HashSet<String>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = key(WEIGHT, seen, "`weight`");
        p.nextToken();
        switch (key) {
          case "bits" -> {
            bitsAt = here();
            bits = bits("weight");
          }
          case "symmetric" -> sym = bool("`symmetric`");
          case "per_channel" -> perChannel = bool("`per_channel`");
          case "pow2" -> pow2 = bool("`pow2`");
          default -> kind = QuantScheme.Kind.valueOf(word(SCHEMES, "scheme").toUpperCase(Locale.ROOT));
        }
      }
      if (kind == QuantScheme.Kind.FP16 && bits != null && bits != 16) {
        throw error(bitsAt, "fp16 weights have 16 bits, got " + bits, "drop `bits` for `scheme: fp16`");
      }
      return new WeightSpec(kind == QuantScheme.Kind.FP16 ? null : bits, sym, perChannel, pow2, kind);
    }

    ActivationSpec activation() throws IOException {
      expectObject("`activation`");
      Integer bits = null;
      Boolean sym = null;
      Boolean pow2 = null;
      RangeMethod range = null;
      var seen = new HashSet<String>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = key(ACTIVATION, seen, "`activation`");
        p.nextToken();
        switch (key) {
          case "bits" -> bits = bits("activation");
          case "symmetric" -> sym = bool("`symmetric`");
          case "pow2" -> pow2 = bool("`pow2`");
          default -> {
            var known = new ArrayList<String>();
            for (RangeMethod m : RangeMethod.values()) {
              known.add(m.text());
            }
            range = RangeMethod.fromText(word(known, "range"));
          }
        }
      }
      return new ActivationSpec(bits, sym, pow2, range);
    }

    // ------------------------------------------------------------------------------------ tokens

    /** The current field name, checked against {@code known} and for repetition. */
    String key(List<String> known, Set<String> seen, String where) throws IOException {
      String k = p.currentName();
      Location at = here();
      if (!known.contains(k)) {
        String near = Spelling.didYouMean(k, known);
        throw error(at, "unknown key `" + k + "` in " + where,
            near != null ? near : "known keys: " + String.join(", ", known));
      }
      if (!seen.add(k)) {
        throw error(at, "key `" + k + "` given twice in " + where, "keep one");
      }
      return k;
    }

    void expectObject(String what) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw error(here(), what + " must be a mapping of keys to values, got " + describe(p.currentToken()),
            "see docs/quantization-config.md for the format");
      }
    }

    Integer bits(String what) throws IOException {
      Location at = here();
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
        throw error(at, "`bits` must be an integer, got " + describe(p.currentToken()), "e.g. `bits: 4`");
      }
      long b = p.getLongValue();
      if (b < 2 || b > 8) {
        throw error(at, what + " bits must be 2 to 8, got " + b,
            what.equals("weight") ? "for half precision write `scheme: fp16`" : null);
      }
      return (int) b;
    }

    boolean bool(String what) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
        throw error(here(), what + " must be true or false, got " + describe(t), null);
      }
      return t == JsonToken.VALUE_TRUE;
    }

    String string(String what) throws IOException {
      JsonToken t = p.currentToken();
      if (t != JsonToken.VALUE_STRING || p.getText().isEmpty()) {
        throw error(here(), what + " must be a non-empty string, got " + describe(t),
            "quote patterns that start with `*`: name: \"*.dw\"");
      }
      return p.getText();
    }

    String word(List<String> known, String key) throws IOException {
      Location at = here();
      String s = string("`" + key + "`");
      if (!known.contains(s)) {
        String near = Spelling.didYouMean(s, known);
        throw error(at, "unknown " + key + " `" + s + "`", near != null ? near : "known: " + String.join(", ", known));
      }
      return s;
    }

    String describe(JsonToken t) throws IOException {
      if (t == null) {
        return "nothing";
      }
      return switch (t) {
        case START_OBJECT -> "a mapping";
        case START_ARRAY -> "a list";
        case VALUE_STRING -> "the string \"" + p.getText() + "\"";
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "the number " + p.getText();
        case VALUE_TRUE, VALUE_FALSE -> p.getText();
        case VALUE_NULL -> "null";
        default -> t.asString() == null ? t.name() : t.asString();
      };
    }

    /** The position of the current token. */
    Location here() {
      JsonLocation l = p.currentTokenLocation();
      return Location.file(file, Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
    }

    CimcException error(Location at, String message, String hint) {
      String detail = null;
      if (at instanceof Location.FileLineCol flc && flc.line() <= lines.length) {
        String line = lines[flc.line() - 1];
        detail = line + "\n" + " ".repeat(Math.max(0, Math.min(flc.col() - 1, line.length()))) + "^";
      }
      return new CimcException(at, message, hint, detail, null);
    }
  }
}
