package dev.cimc.compiler.cli;

import dev.cimc.cim.target.QuantDefaults;
import dev.cimc.cim.target.Target;
import dev.cimc.cim.target.Targets;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.quant.calibrate.CalibrationResult;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.verify.Verifier;
import java.util.Map;

/** {@code --emit=qgraph}: calibrate, insert quantizers with the target's default schemes, lower to integer ops. */
final class QuantizationFlow {
  private QuantizationFlow() {}

  static void run(Graph g, OpRegistry registry, CimcCli cli) {
    Target target = Targets.load(cli.target);
    QuantDefaults d = QuantDefaults.of(target);
    int wb = bits("--weight-bits", cli.weightBits, d.weights().bits());
    int ab = bits("--activation-bits", cli.activationBits, d.activations().bits());
    QuantScheme w = QuantScheme.weights(wb, 0);
    QuantScheme a = QuantScheme.activations(ab);
    QuantPlan base = new QuantPlan(a, w, Map.of(), Map.of());
    if (cli.calibRandom != null && cli.calibRandom < 1) {
      throw new UsageException("--calib-random takes N >= 1, got " + cli.calibRandom, null);
    }
    CalibrationData data = cli.calib != null ? CalibrationData.directory(cli.calib, g)
        : CalibrationData.random(g, cli.calibRandom, 0);
    for (String warning : data.warnings()) {
      cli.err.println("warning: " + warning);
    }
    var bar = new ProgressBar(cli.err, "calibrating");
    CalibrationResult r = Calibrator.calibrate(g, data, Calibrator.Settings.defaults(), bar::update);
    bar.done();
    Quantize.apply(g, r.toPlan(base), registry);
    LowerToInteger.apply(g, registry);
    Verifier.check(g);
  }

  private static int bits(String flag, Integer given, int fallback) {
    int b = given != null ? given : fallback;
    if (b < 2 || b > 8) {
      throw new UsageException(flag + " takes 2 to 8 bits, got " + b, null);
    }
    return b;
  }
}
