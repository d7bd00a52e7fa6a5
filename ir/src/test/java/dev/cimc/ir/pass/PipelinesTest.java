package dev.cimc.ir.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PipelinesTest {
  @Test
  void levelsNamePresets() {
    PassRegistry r = PassRegistry.standard();
    assertTrue(Pipelines.forLevel(OptLevel.O0, r).isEmpty());
    String canonicalize = "canonicalize{max-iterations=10 fold-shape-limit=4096 cse=true}";
    String o1 = canonicalize + ",fold-constants{max-elements=16777216},dce,fold-batch-norm{record-statistics=true},"
        + canonicalize;
    assertEquals(o1, Pipelines.forLevel(OptLevel.O1, r).toString());
    String graphO2 = o1 + ",cross-layer-equalization{max-sweeps=100 tolerance=1.0E-6 clip=scale-bound},"
        + "bias-absorption{sigmas=3.0},fuse," + canonicalize;
    PassPipeline o2 = Pipelines.forLevel(OptLevel.O2, r);
    assertEquals(graphO2 + "," + r.get("quantize").create() + ",lower-to-integer", o2.toString());
    assertEquals(graphO2, Pipelines.graphLevel(o2).toString());
    PassPipeline o3 = Pipelines.forLevel(OptLevel.O3, r);
    assertEquals(Pipelines.graphLevel(o2), Pipelines.graphLevel(o3));
    var q3 = o3.passes().get(o3.size() - 2).options();
    assertTrue(q3.getBool("adaround") && q3.getBool("bias-correction") && q3.getString("weight-range").equals("mse"),
        "O3 quantizes with AdaRound, bias correction and MSE weight ranges: " + q3.toText());
  }

  @ParameterizedTest
  @EnumSource(OptLevel.class)
  void presetsPrintAsPasteablePipelines(OptLevel level) {
    PassRegistry r = PassRegistry.standard();
    PassPipeline p = Pipelines.forLevel(level, r);
    assertEquals(p, PassPipeline.parse(p.toString(), r));
    assertEquals(p, Pipelines.resolve(level.name(), r));
  }

  @Test
  void resolveAcceptsLevelsOrText() {
    PassRegistry r = PassRegistry.standard();
    assertEquals("dce", Pipelines.resolve("dce", r).toString());
    assertEquals(Optional.of(OptLevel.O2), OptLevel.fromText("O2"));
    assertEquals(Optional.empty(), OptLevel.fromText("O4"));
  }
}
