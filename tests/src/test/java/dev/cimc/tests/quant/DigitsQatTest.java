package dev.cimc.tests.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.pass.OptLevel;
import dev.cimc.ir.pass.PassManager;
import dev.cimc.ir.pass.PassRegistry;
import dev.cimc.ir.pass.Pipelines;
import dev.cimc.ir.quant.QuantPlan;
import dev.cimc.ir.quant.QuantScheme;
import dev.cimc.ir.quant.calibrate.Calibrator;
import dev.cimc.ir.quant.fakequant.Quantize;
import dev.cimc.ir.quant.integer.LowerToInteger;
import dev.cimc.ir.quant.qat.LabelledData;
import dev.cimc.ir.quant.qat.QatResult;
import dev.cimc.ir.quant.qat.QatTrainer;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #7 acceptance: the digits CNN at W2A8 (ternary weights per output channel, 8-bit activations)
 * recovers through QAT to within 3 points of its float accuracy on the 256 evaluation digits, measured on
 * the integer graph after quantize + lower-to-integer. PTQ calibrates on calib_images; QAT trains 4 epochs
 * on the first 512 digits of digits_train.npz (the models' own training split, disjoint from eval).
 */
class DigitsQatTest {
  private static final Path FIXTURES = Path.of("src/test/resources/models");
  private static final OpRegistry R = Dialects.standard();
  private static final int TRAIN = 512;

  @Test
  void w2a8RecoversToWithinThreePointsOfFloat() {
    Graph g = OnnxImporter.importModel(FIXTURES.resolve("digits_cnn.onnx"), ImportOptions.defaults());
    new PassManager(Pipelines.forLevel(OptLevel.O1, PassRegistry.standard()), PassManager.Options.defaults(), R).run(g);
    Map<String, Tensor> npz = NpzFormat.read(FIXTURES.resolve("digits.npz"));
    LabelledData calib = LabelledData.of(g, npz.get("calib_images"), npz.get("calib_labels"), "calib_images",
        "calib_labels");
    LabelledData eval = LabelledData.of(g, npz.get("eval_images"), npz.get("eval_labels"), "eval_images",
        "eval_labels");
    Map<String, Tensor> trainNpz = NpzFormat.read(FIXTURES.resolve("digits_train.npz"));
    Tensor images = trainNpz.get("train_images");
    int per = images.size() / images.shape().dim(0);
    LabelledData train = LabelledData.of(g,
        Tensor.wrap(TensorType.of(ElementType.F32, TRAIN, 1, 32, 32), Arrays.copyOf(images.floats(), TRAIN * per)),
        Tensor.ofLongs(new int[] {TRAIN}, Arrays.copyOf(trainNpz.get("train_labels").longs(), TRAIN)), "train_images",
        "train_labels");
    double floatAcc = QatTrainer.accuracy(g, eval, 2);
    assertEquals(0.9766, floatAcc, 1e-4, "the fixture's float accuracy (models.json)");

    QuantPlan base = new QuantPlan(QuantScheme.activations(8), QuantScheme.weights(2, 0), Map.of(), Map.of());
    QuantPlan ptq = Calibrator.calibrate(g, calib.calibration(), Calibrator.Settings.defaults(),
        Calibrator.Progress.NONE).toPlan(base);
    double ptqAcc = QatTrainer.accuracy(lower(g, ptq), eval, 2);

    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    QatResult r = QatTrainer.train(g, ptq, train, eval, QatTrainer.Settings.defaults().withEpochs(4), R,
        e -> System.err.printf("epoch %d: loss %.4f, fake-quant accuracy %.4f%n", e.epoch(), e.loss(), e.accuracy()));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    double qatAcc = QatTrainer.accuracy(lower(r.graph(), r.plan()), eval, 2);
    System.err.printf("digits CNN W2A8: float %.4f, PTQ %.4f, QAT %.4f (integer graph), training %.1f s (%.1f s CPU)%n",
        floatAcc, ptqAcc, qatAcc, seconds, cpuSeconds);
    assertTrue(qatAcc >= floatAcc - 0.03, "QAT " + qatAcc + " vs float " + floatAcc);
    // the integer graph computes what training measured (scales go through f32, ties may round apart)
    double fakeQuantAcc = r.epochs().get(r.epochs().size() - 1).accuracy();
    assertEquals(fakeQuantAcc, qatAcc, 2.0 / eval.size(), "fake-quant vs integer accuracy");
    assertTrue(ptqAcc < floatAcc - 0.2, "W2 PTQ is far from float (else this test shows nothing): " + ptqAcc);
  }

  private static Graph lower(Graph g, QuantPlan plan) {
    Graph q = g.copy();
    Quantize.apply(q, plan, R);
    LowerToInteger.apply(q, R);
    return q;
  }
}
