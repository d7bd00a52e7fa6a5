package dev.cimc.cim.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.quant.QuantScheme;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {
  @TempDir
  Path dir;

  static String preset(String name) throws IOException {
    try (InputStream in = Targets.class.getResourceAsStream(name + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String render(String json) {
    return assertThrows(CimcException.class, () -> Targets.parse(json, "t.json")).render();
  }

  @Test
  void defaultPresetMatchesTheDesignTable() {
    Target t = Targets.load("cim-256x256");
    assertEquals("cim-256x256", t.name());
    Target.Crossbar x = t.crossbar();
    assertEquals(256, x.rows());
    assertEquals(256, x.cols());
    assertEquals(2, x.bitsPerCell());
    assertEquals(128, x.rowsActivePerRead());
    assertEquals(1, x.dacBits());
    assertEquals(8, x.adcBits());
    assertEquals(2, x.adcsPerCrossbar());
    assertEquals(9, x.losslessAdcBits()); // ceil(log2(128·3 + 1))
    assertFalse(x.adcLossless());
    assertEquals(8, t.weights().bits());
    assertEquals(4, t.weights().slices());
    assertEquals("offset", t.weights().signedEncoding());
    assertEquals(4 * 4 * 8 * 2 * 4, t.crossbarCount());
    assertEquals("CIM-MLC MaxRC, NeuroSim parallelRead: 128 of 256 rows per read",
        t.sources().get("chip.tile.core.crossbar.rows_active_per_read"));
  }

  @Test
  void everyPresetLoadsAndSourcesEveryValue() throws IOException {
    for (String name : Targets.PRESETS) {
      Target t = Targets.load(name);
      assertEquals(name, t.name());
      // Every leaf value in the preset has a source.
      var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(preset(name));
      assertSourced(tree, "", t, name);
    }
  }

  private static void assertSourced(com.fasterxml.jackson.databind.JsonNode node, String path, Target t, String preset) {
    var it = node.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (e.getKey().equals("_source") || e.getKey().equals("description")) {
        continue;
      }
      if (e.getValue().isObject()) {
        assertSourced(e.getValue(), path + e.getKey() + ".", t, preset);
      } else {
        assertTrue(t.sources().containsKey(path + e.getKey()), preset + ": no source for " + path + e.getKey());
      }
    }
  }

  @Test
  void loadsByPath() throws IOException {
    Path f = dir.resolve("mine.json");
    Files.writeString(f, preset("cim-256x256").replace("\"cim-256x256\"", "\"mine\""));
    Target t = Targets.load(f.toString());
    assertEquals("mine", t.name());
    assertEquals(Targets.load(f).fingerprint(), t.fingerprint());
  }

  @Test
  void quantizationDefaults() {
    QuantDefaults q = QuantDefaults.of(Targets.load("cim-256x256"));
    assertEquals(QuantScheme.weights(8, 0), q.weights());
    assertEquals(QuantScheme.activations(8), q.activations());
    assertEquals(8, q.inputSteps());
    assertFalse(q.adcLossless());
  }

  @Test
  void quantizationDefaultsFollowCellsAndDacs() throws IOException {
    String json = preset("cim-256x256").replace("\"slices\": 4", "\"slices\": 2").replace("\"bits\": 8,\n    \"slices\"",
        "\"bits\": 4,\n    \"slices\"").replace("\"dac_bits\": 1", "\"dac_bits\": 2");
    QuantDefaults q = QuantDefaults.of(Targets.parse(json, "t.json"));
    assertEquals(QuantScheme.weights(4, 0), q.weights());
    assertEquals(4, q.inputSteps()); // 8-bit inputs through 2-bit DACs
  }

  @Test
  void fingerprintIsStableAndIgnoresLayoutAndSources() throws IOException {
    Target a = Targets.load("cim-256x256");
    assertEquals(a.fingerprint(), Targets.load("cim-256x256").fingerprint());
    assertEquals(64, a.fingerprint().length());
    // Pinned: changing a preset's values must be deliberate (update this constant with the preset).
    assertEquals(FINGERPRINT_256, a.fingerprint());
    String reformatted = preset("cim-256x256").replace("\n", "\n\n  ").replace("PUMA num_matrix=2", "PUMA, num_matrix = 2");
    assertEquals(a.fingerprint(), Targets.parse(reformatted, "x.json").fingerprint());
    String changed = preset("cim-256x256").replace("\"adc_bits\": 8", "\"adc_bits\": 9");
    assertNotEquals(a.fingerprint(), Targets.parse(changed, "x.json").fingerprint());
    assertNotEquals(a.fingerprint(), Targets.load("cim-128x128").fingerprint());
    assertTrue(Targets.canonicalJson(a).startsWith("{\"activations\":{\"bits\":8},\"chip\":{"), Targets.canonicalJson(a));
  }

  static final String FINGERPRINT_256 = "cc412d16469d178cdc099c5f0c5c8771a653a7a9d88373c6e7ee8e8b4379dd76";

  @Test
  void unknownPresetListsTheKnownOnes() {
    var e = assertThrows(CimcException.class, () -> Targets.load("cim-512x512"));
    assertEquals("error: unknown target 'cim-512x512'\n"
        + "hint: known targets: cim-128x128, cim-256x256; or give the path of a target .json file", e.render());
  }

  @Test
  void missingFile() {
    var e = assertThrows(CimcException.class, () -> Targets.load(dir.resolve("none.json").toString()));
    assertEquals(dir.resolve("none.json") + ": error: target file not found\n"
        + "hint: known targets: cim-128x128, cim-256x256", e.render());
  }

  @Test
  void malformedJsonHasLineAndColumn() {
    assertEquals("t.json:3:3: error: malformed JSON: Unexpected character ('}' (code 125)): was expecting double-quote"
        + " to start field name", render("{\n  \"name\": \"x\",\n  }\n"));
  }

  @Test
  void unknownField() throws IOException {
    String known = "known fields: adc_bits, adcs_per_crossbar, bits_per_cell, cols, dac_bits, rows, rows_active_per_read";
    assertEquals("t.json:53:10: error: unknown field 'adc_bitz' in chip.tile.core.crossbar\nhint: " + known,
        render(preset("cim-256x256").replace("\"adc_bits\": 8,", "\"adc_bits\": 8, \"adc_bitz\": 8,")));
    // A misspelt field is first missing under its right name; the hint names the stray one.
    assertEquals("t.json:53:9: error: missing field 'adc_bits' in chip.tile.core.crossbar\n"
        + "hint: the object has unknown field 'adc_bitz'; " + known,
        render(preset("cim-256x256").replace("\"adc_bits\"", "\"adc_bitz\"")));
  }

  @Test
  void missingField() throws IOException {
    assertEquals("t.json:53:9: error: missing field 'adc_bits' in chip.tile.core.crossbar",
        render(preset("cim-256x256").replace("\"adc_bits\": 8,", "")));
    assertEquals("t.json:1:46: error: missing field 'bits' in weights",
        render("{\"name\": \"x\", \"description\": \"\", \"weights\": {}}"));
    assertEquals("t.json:1:32: error: missing field 'chip' in the target",
        render("{\"name\": \"x\", \"description\": \"\"}"));
  }

  @Test
  void wrongType() throws IOException {
    assertEquals("t.json:46:19: error: bad value for chip.tile.core.crossbar.rows: Cannot deserialize value of type"
        + " `int` from String \"many\": not a valid `int` value",
        render(preset("cim-256x256").replace("\"rows\": 256", "\"rows\": \"many\"")));
  }

  @Test
  void impossibleValues() throws IOException {
    String p = preset("cim-256x256");
    assertEquals("t.json: error: invalid target: chip.tile.core.crossbar.adc_bits must be between 1 and 16, got 0",
        render(p.replace("\"adc_bits\": 8", "\"adc_bits\": 0")));
    assertEquals("t.json: error: invalid target: chip.tile.core.crossbar.rows_active_per_read must be between 1 and"
        + " the crossbar rows (256), got 300",
        render(p.replace("\"rows_active_per_read\": 128", "\"rows_active_per_read\": 300")));
    assertEquals("t.json: error: invalid target: weights.bits must equal chip.tile.core.crossbar.bits_per_cell ×"
        + " weights.slices (2 × 3 = 6), got 8\nhint: a weight is stored as slices of bits_per_cell bits",
        render(p.replace("\"slices\": 4", "\"slices\": 3")));
    assertEquals("t.json: error: invalid target: weights.signed_encoding must be \"offset\" or \"differential\","
        + " got \"twos-complement\"", render(p.replace("\"offset\"", "\"twos-complement\"")));
    assertEquals("t.json: error: invalid target: chip.tiles_x must be at least 1, got 0",
        render(p.replace("\"tiles_x\": 4", "\"tiles_x\": 0")));
  }
}
