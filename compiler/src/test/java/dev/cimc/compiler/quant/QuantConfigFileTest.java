package dev.cimc.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.config.ActivationSpec;
import dev.cimc.ir.quant.config.LayerMatch;
import dev.cimc.ir.quant.config.LayerRule;
import dev.cimc.ir.quant.config.QuantConfig;
import dev.cimc.ir.quant.config.WeightSpec;
import dev.cimc.ir.quant.observe.RangeMethod;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The config file format in YAML and JSON, and every error a user can make in it, verbatim. */
class QuantConfigFileTest {
  private static final String YAML = """
      version: 1
      defaults:
        weight: {bits: 8, per_channel: true}
        activation: {bits: 8, range: percentile}
      layers:
        - name: "stem*"
          weight: {bits: 8, pow2: true}
        - op: conv2d
          weight: {bits: 4, symmetric: true, scheme: affine}
          activation: {bits: 6, symmetric: false, pow2: false, range: mse}
        - name: classifier
          float: true
      """;

  private static final QuantConfig EXPECTED = new QuantConfig(new WeightSpec(8, null, true, null, null),
      new ActivationSpec(8, null, null, RangeMethod.PERCENTILE), List.of(
          new LayerRule(LayerMatch.name("stem*"), new WeightSpec(8, null, null, true, null), null, false,
              Location.file("q.yaml", 6, 5)),
          new LayerRule(LayerMatch.op("conv2d"), new WeightSpec(4, true, null, null, QuantScheme.Kind.AFFINE),
              new ActivationSpec(6, false, false, RangeMethod.MSE), false, Location.file("q.yaml", 8, 5)),
          new LayerRule(LayerMatch.name("classifier"), null, null, true, Location.file("q.yaml", 11, 5))));

  @Test
  void yaml() {
    assertEquals(EXPECTED, QuantConfigFile.parse("q.yaml", YAML, true));
  }

  @Test
  void jsonReadsTheSameModel() {
    String json = """
        {"version": 1,
         "defaults": {"weight": {"bits": 8, "per_channel": true}, "activation": {"bits": 8, "range": "percentile"}},
         "layers": [
           {"name": "stem*", "weight": {"bits": 8, "pow2": true}},
           {"op": "conv2d", "weight": {"bits": 4, "symmetric": true, "scheme": "affine"},
            "activation": {"bits": 6, "symmetric": false, "pow2": false, "range": "mse"}},
           {"name": "classifier", "float": true}]}
        """;
    QuantConfig c = QuantConfigFile.parse("q.json", json, false);
    assertEquals(EXPECTED.weight(), c.weight());
    assertEquals(EXPECTED.activation(), c.activation());
    assertEquals(3, c.layers().size());
    for (int i = 0; i < 3; i++) {
      LayerRule a = EXPECTED.layers().get(i);
      LayerRule b = c.layers().get(i);
      assertEquals(List.of(a.match(), a.weight(), a.activation(), a.keepFloat()),
          List.of(b.match(), b.weight(), b.activation(), b.keepFloat()));
    }
    assertEquals(Location.file("q.json", 4, 4), c.layers().get(0).origin());
  }

  @Test
  void committedExampleParses() {
    QuantConfig c = QuantConfigFile.read(Path.of("../examples/quant/mixed.yaml"));
    assertEquals(true, c.layers().size() >= 3);
  }

  private static String error(String file, String text) {
    boolean yaml = !file.endsWith(".json");
    return assertThrows(CimcException.class, () -> QuantConfigFile.parse(file, text, yaml)).render();
  }

  @Test
  void unknownKeysSuggestTheNearestKnownOne() {
    assertEquals("""
        q.yaml:3:14: error: unknown key `bitz` in `weight`
            weight: {bitz: 4}
                     ^
        hint: did you mean `bits`?""", error("q.yaml", """
        layers:
          - name: a
            weight: {bitz: 4}
        """));
    assertEquals("""
        q.yaml:1:1: error: unknown key `layer` in top-level
        layer: []
        ^
        hint: did you mean `layers`?""", error("q.yaml", "layer: []\n"));
    assertEquals("""
        q.json:1:25: error: unknown key `flaot` in a layer rule
        {"layers": [{"op": "x", "flaot": true}]}
                                ^
        hint: did you mean `float`?""", error("q.json", "{\"layers\": [{\"op\": \"x\", \"flaot\": true}]}\n"));
    assertEquals("""
        q.yaml:1:12: error: unknown key `colour` in `defaults`
        defaults: {colour: red}
                   ^
        hint: known keys: weight, activation""", error("q.yaml", "defaults: {colour: red}\n"));
  }

  @Test
  void badValues() {
    assertEquals("""
        q.yaml:2:30: error: weight bits must be 2 to 8, got 9
          - {name: a, weight: {bits: 9}}
                                     ^
        hint: for half precision write `scheme: fp16`""", error("q.yaml", "layers:\n  - {name: a, weight: {bits: 9}}\n"));
    assertEquals("""
        q.yaml:2:35: error: unknown range `mse2`
          - {name: a, activation: {range: mse2}}
                                          ^
        hint: did you mean `mse`?""", error("q.yaml", "layers:\n  - {name: a, activation: {range: mse2}}\n"));
    assertEquals("""
        q.yaml:2:32: error: unknown scheme `log`
          - {name: a, weight: {scheme: log}}
                                       ^
        hint: did you mean `log2`?""", error("q.yaml", "layers:\n  - {name: a, weight: {scheme: log}}\n"));
    assertEquals("""
        q.yaml:2:22: error: `float` must be true or false, got the string "yes please"
          - {name: a, float: yes please}
                             ^""", error("q.yaml", "layers:\n  - {name: a, float: yes please}\n"));
    assertEquals("""
        q.yaml:1:9: error: `layers` must be a list of rules, got a mapping
        layers: {name: a}
                ^
        hint: write `layers:` followed by `- name: ...` entries""", error("q.yaml", "layers: {name: a}\n"));
    assertEquals("""
        q.yaml:1:10: error: unsupported config version 2
        version: 2
                 ^
        hint: this cimc reads `version: 1`""", error("q.yaml", "version: 2\n"));
  }

  @Test
  void badRules() {
    assertEquals("""
        q.yaml:2:5: error: a layer rule needs `name` or `op`
          - weight: {bits: 4}
            ^
        hint: e.g. `- name: "conv1*"` or `- op: conv2d`""", error("q.yaml", "layers:\n  - weight: {bits: 4}\n"));
    assertEquals("""
        q.yaml:4:5: error: a layer with `float: true` takes no weight or activation scheme
            float: true
            ^
        hint: drop `float: true` or the scheme settings""", error("q.yaml",
        "layers:\n  - name: a\n    weight: {bits: 4}\n    float: true\n"));
    assertEquals("""
        q.yaml:3:5: error: key `name` given twice in a layer rule
            name: b
            ^
        hint: keep one""", error("q.yaml", "layers:\n  - name: a\n    name: b\n"));
  }

  @Test
  void malformedSyntaxPointsAtTheToken() {
    String json = error("q.json", "{\"layers\": [{\"name\": \"a\",]}\n");
    assertEquals("q.json:1:26: error: malformed JSON: Unexpected character (']' (code 93)): was expecting double-quote"
        + " to start field name", json.lines().findFirst().orElseThrow());
    String yaml = error("q.yaml", "layers:\n  - name: a\n   weight: 4\n");
    assertEquals("""
        q.yaml:3:4: error: malformed YAML: while parsing a block collection: expected <block end>, but found \
        '<block mapping start>'
           weight: 4
           ^
        hint: check the indentation and the `key: value` syntax""", yaml);
    assertEquals("q.yaml:1:1: error: the config is empty\nhint: write at least `layers:` with one rule;"
        + " see docs/quantization-config.md", error("q.yaml", "").replace("\n\n^", ""));
  }

  @Test
  void fileKinds() {
    assertEquals("q.txt: error: unknown quantization config kind\nhint: give a .yaml, .yml or .json file",
        assertThrows(CimcException.class, () -> QuantConfigFile.read(Path.of("q.txt"))).render());
    String missing = assertThrows(CimcException.class, () -> QuantConfigFile.read(Path.of("no/such.yaml"))).render();
    assertEquals("no/such.yaml: error: cannot read: no such file or folder", missing);
  }
}
