package dev.cimc.frontend.dsl;

import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.text.IrPrinter;
import dev.cimc.ir.text.PrintOptions;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void scratch() {
    String f = System.getProperty("scratch.file", "../examples/dsl/lenet5.cim");
    try {
      DslModel m = DslFrontend.load(Path.of(f));
      String dump = System.getProperty("scratch.consts");
      if (dump != null) {
        var sb = new StringBuilder();
        for (var n : m.graph().nodes()) {
          if (n.op().fullName().equals("const")) {
            sb.append(n.result().name()).append(' ').append(java.util.Arrays.toString(n.result().type().shape().dims())).append('\n');
          }
        }
        try {
          java.nio.file.Files.writeString(Path.of(dump), sb.toString());
        } catch (java.io.IOException e) {
          throw new RuntimeException(e);
        }
      }
      String io = System.getProperty("scratch.io");
      if (io != null) {
        Map<String, Tensor> data = NpzFormat.read(Path.of(io));
        String in = m.graph().inputs().get(0).name();
        var out = Interpreter.runOnce(m.graph(), Map.of(in, data.get("x")));
        float[] got = out.values().iterator().next().floats();
        float[] want = data.get("y").floats();
        double maxErr = 0;
        double maxAbs = 0;
        for (int i = 0; i < got.length; i++) {
          maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
          maxAbs = Math.max(maxAbs, Math.abs(want[i]));
        }
        System.out.println("max abs error " + maxErr + " (max |y| " + maxAbs + "), first: " + got[0] + " vs " + want[0]);
        return;
      }
      System.out.println(IrPrinter.toText(m.graph(), new PrintOptions(16, true, false)));
      System.out.println(m.hints());
      System.out.println(dev.cimc.ir.analysis.ModelCost.of(m.graph()).parameters() + " params, "
          + dev.cimc.ir.analysis.ModelCost.of(m.graph()).macs() + " MACs");
      m.warnings().forEach(w -> System.out.println(w.render()));
    } catch (DslException e) {
      System.out.println(e.render());
    }
  }
}
