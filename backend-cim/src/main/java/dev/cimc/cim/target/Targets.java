package dev.cimc.cim.target;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads targets: presets by name ({@code Targets.load("cim-256x256")}, JSON resources beside this class)
 * or files by path. Field names are snake_case; every object may carry a {@code "_source"} object naming
 * the source of its values (JSON has no comments). Unknown and missing fields, malformed JSON and
 * impossible values are {@link CimcException}s with the file, and the line and column when Jackson knows them.
 */
public final class Targets {
  /** The preset names, sorted. */
  public static final List<String> PRESETS = List.of("cim-128x128", "cim-256x256");

  private static final String SOURCE = "_source";
  private static final ObjectMapper READER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .addMixIn(Document.class, SourceComments.class)
      .addMixIn(Target.Chip.class, SourceComments.class)
      .addMixIn(Target.Tile.class, SourceComments.class)
      .addMixIn(Target.Core.class, SourceComments.class)
      .addMixIn(Target.Crossbar.class, SourceComments.class)
      .addMixIn(Target.WeightFormat.class, SourceComments.class)
      .addMixIn(Target.ActivationFormat.class, SourceComments.class)
      .build();
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  private Targets() {}

  /** The target document as bound by Jackson; {@link Target} adds sources and the fingerprint. */
  record Document(String name, String description, Target.Chip chip, Target.WeightFormat weights,
      Target.ActivationFormat activations) {}

  /** Lets every object carry a {@code "_source"} comment. */
  @JsonIgnoreProperties(SOURCE)
  private interface SourceComments {}

  /**
   * A preset by name, or a JSON file when {@code nameOrPath} ends in {@code .json} or contains a path
   * separator. Unknown names list the presets.
   */
  public static Target load(String nameOrPath) {
    if (PRESETS.contains(nameOrPath)) {
      String resource = nameOrPath + ".json";
      try (InputStream in = Targets.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("preset resource " + resource + " is missing from the jar");
        }
        return parse(in.readAllBytes(), resource);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read preset resource " + resource, e);
      }
    }
    if (nameOrPath.endsWith(".json") || nameOrPath.contains("/") || nameOrPath.contains("\\")) {
      return load(Path.of(nameOrPath));
    }
    throw new CimcException("unknown target '" + nameOrPath + "'",
        "known targets: " + String.join(", ", PRESETS) + "; or give the path of a target .json file");
  }

  /** A target from a JSON file. */
  public static Target load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CimcException(Location.file(file.toString()), "target file not found",
          "known targets: " + String.join(", ", PRESETS));
    } catch (IOException e) {
      throw new CimcException(Location.file(file.toString()), "cannot read target file: " + e.getMessage(), null);
    }
    return parse(bytes, file.toString());
  }

  /** A target from JSON text; {@code fileName} is used in messages. */
  public static Target parse(String json, String fileName) {
    return parse(json.getBytes(StandardCharsets.UTF_8), fileName);
  }

  private static Target parse(byte[] json, String fileName) {
    Document d;
    JsonNode tree;
    try {
      tree = READER.readTree(json);
      if (tree == null || !tree.isObject()) {
        throw new CimcException(Location.file(fileName), "a target is a JSON object", null);
      }
      d = READER.readValue(json, Document.class);
    } catch (JsonProcessingException e) {
      throw translate(e, fileName, json);
    } catch (IOException e) {
      throw new CimcException(Location.file(fileName), "cannot read target: " + e.getMessage(), null);
    }
    String base = stem(fileName);
    if (d.name() == null || d.name().isBlank()) {
      d = new Document(base, d.description(), d.chip(), d.weights(), d.activations());
    }
    TargetValidator.check(d, fileName);
    var sources = new TreeMap<String, String>();
    collectSources(tree, "", sources);
    return new Target(d.name(), d.description() == null ? "" : d.description(), d.chip(), d.weights(),
        d.activations(), sources, fingerprint(d));
  }

  /** The canonical JSON of a target: sorted keys, no whitespace, no sources, no fingerprint. */
  public static String canonicalJson(Target t) {
    return canonical(new Document(t.name(), t.description(), t.chip(), t.weights(), t.activations()));
  }

  private static String canonical(Document d) {
    try {
      return CANONICAL.writeValueAsString(d);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a target document always serializes", e);
    }
  }

  private static String fingerprint(Document d) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical(d).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void collectSources(JsonNode node, String path, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      var e = it.next();
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (key.equals(SOURCE) && v.isObject()) {
        Iterator<Map.Entry<String, JsonNode>> s = v.fields();
        while (s.hasNext()) {
          var f = s.next();
          out.put(path + f.getKey(), f.getValue().asText());
        }
      } else if (v.isObject()) {
        collectSources(v, path + key + ".", out);
      }
    }
  }

  private static final Pattern MISSING = Pattern.compile("Missing (?:required )?creator property '([^']+)'");

  private static CimcException translate(JsonProcessingException e, String fileName, byte[] json) {
    JsonLocation l = e.getLocation();
    Location loc = l != null && l.getLineNr() > 0
        ? Location.file(fileName, l.getLineNr(), l.getColumnNr()) : Location.file(fileName);
    if (e instanceof UnrecognizedPropertyException u) {
      var known = new TreeSet<String>();
      for (Object k : u.getKnownPropertyIds()) {
        known.add(k.toString());
      }
      known.remove(SOURCE);
      return new CimcException(loc, "unknown field '" + u.getPropertyName() + "' in " + where(path(u, 1)),
          "known fields: " + String.join(", ", known), null, e);
    }
    if (e instanceof MismatchedInputException m) {
      Matcher mm = MISSING.matcher(m.getOriginalMessage());
      if (mm.find()) {
        String path = path(m, 0);
        String suffix = "." + mm.group(1);
        if (path.endsWith(suffix)) {
          path = path.substring(0, path.length() - suffix.length());
        } else if (path.equals(mm.group(1))) {
          path = "";
        }
        return new CimcException(loc, "missing field '" + mm.group(1) + "' in " + where(path),
            misspellingHint(json, path), null, e);
      }
      return new CimcException(loc, "bad value for " + where(path(m, 0)) + ": " + firstLine(m.getOriginalMessage()),
          null, null, e);
    }
    if (e instanceof JsonMappingException m) {
      return new CimcException(loc, "bad target: " + firstLine(m.getOriginalMessage()), null, null, e);
    }
    return new CimcException(loc, "malformed JSON: " + firstLine(e.getOriginalMessage()), null, null, e);
  }

  /** "unexpected field(s) ..." when the object at {@code path} has fields its record does not know (a typo), else null. */
  private static String misspellingHint(byte[] json, String path) {
    try {
      JsonNode node = READER.readTree(json);
      Class<?> type = Document.class;
      for (String part : path.isEmpty() ? new String[0] : path.split("\\.")) {
        node = node.get(part);
        type = componentType(type, part);
        if (node == null || type == null) {
          return null;
        }
      }
      var known = new TreeSet<String>();
      for (var c : type.getRecordComponents()) {
        known.add(snake(c.getName()));
      }
      var unexpected = new ArrayList<String>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!known.contains(f) && !f.equals(SOURCE)) {
          unexpected.add("'" + f + "'");
        }
      }
      return unexpected.isEmpty() ? null : "the object has unknown field" + (unexpected.size() > 1 ? "s " : " ")
          + String.join(", ", unexpected) + "; known fields: " + String.join(", ", known);
    } catch (IOException e) {
      return null;
    }
  }

  private static Class<?> componentType(Class<?> record, String snakeName) {
    if (!record.isRecord()) {
      return null;
    }
    for (var c : record.getRecordComponents()) {
      if (snake(c.getName()).equals(snakeName)) {
        return c.getType();
      }
    }
    return null;
  }

  private static String snake(String camel) {
    return new PropertyNamingStrategies.SnakeCaseStrategy().translate(camel);
  }

  /** The JSON path of a binding error, dropping the last {@code drop} references. */
  private static String path(JsonMappingException e, int drop) {
    List<String> parts = new ArrayList<>();
    List<JsonMappingException.Reference> refs = e.getPath();
    for (int i = 0; i < refs.size() - drop; i++) {
      var r = refs.get(i);
      parts.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
    }
    return String.join(".", parts);
  }

  private static String where(String path) {
    return path.isEmpty() ? "the target" : path;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String stem(String fileName) {
    String s = Path.of(fileName).getFileName().toString();
    return s.endsWith(".json") ? s.substring(0, s.length() - 5) : s;
  }
}
