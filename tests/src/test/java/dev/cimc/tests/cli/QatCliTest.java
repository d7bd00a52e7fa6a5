package dev.cimc.tests.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cimc qat}: the integer graph it writes, its report on stderr, determinism, and its errors verbatim. */
class QatCliTest {
  @TempDir
  Path tmp;

  private static String fixture(String name) {
    return Cli.repoRoot().resolve("tests/src/test/resources/models/" + name).toString();
  }

  private static List<String> args(String... extra) {
    return argsWith("calib_labels", "4", extra);
  }

  private static List<String> argsWith(String labelsKey, String weightBits, String... extra) {
    var a = new ArrayList<>(List.of("qat", fixture("digits_cnn.onnx"), "--data", fixture("digits.npz"),
        "--inputs-key", "calib_images", "--labels-key", labelsKey, "--weight-bits", weightBits, "--activation-bits",
        "8", "--epochs", "1"));
    a.addAll(List.of(extra));
    return a;
  }

  @Test
  void writesAnIntegerGraphDeterministicallyForAnyThreadCount() throws IOException {
    Path a = tmp.resolve("a.cir");
    Path b = tmp.resolve("b.cir");
    Cli r = Cli.run(args("--eval", fixture("digits.npz"), "--eval-inputs-key", "eval_images", "--eval-labels-key",
        "eval_labels", "--threads", "2", "-o", a.toString()).toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.err().contains("float accuracy 97.66%, W4A8 PTQ accuracy "), r.err());
    assertTrue(r.err().contains("epoch 1/1: loss "), r.err());
    assertTrue(r.err().contains("W4A8 QAT accuracy of the integer graph "), r.err());
    String text = Files.readString(a);
    assertTrue(text.contains("q.qconv2d("), "convolutions are integer ops");
    assertTrue(text.contains("!q.i4<axis=0"), "4-bit weights per output channel");
    Cli again = Cli.run(args("--threads", "1", "-o", b.toString()).toArray(String[]::new));
    assertEquals(0, again.exitCode(), again.err());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.weights.npz")), Files.readAllBytes(tmp.resolve("b.weights.npz")));
  }

  @Test
  void pow2ScalesReachTheIntegerGraph() throws IOException {
    Path out = tmp.resolve("p.cir");
    Cli r = Cli.run(args("--pow2-scales", "--batch", "64", "--optimizer", "sgd", "--lr", "0.01", "-o", out.toString())
        .toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.err());
    var m = java.util.regex.Pattern.compile("scales?=\\[?([0-9.eE, -]+)\\]?").matcher(Files.readString(out));
    int scales = 0;
    while (m.find()) {
      for (String v : m.group(1).split(",\\s*")) {
        double s = Double.parseDouble(v);
        assertEquals(s, Math.pow(2, Math.rint(Math.log(s) / Math.log(2))), 0.0, "scale " + s);
        scales++;
      }
    }
    assertTrue(scales > 20, "scales found: " + scales);
  }

  @Test
  void missingArrayNamesTheKeysAndTheFlag() {
    Cli r = Cli.run("qat", fixture("digits_cnn.onnx"), "--data", fixture("digits.npz"), "--weight-bits", "2",
        "--activation-bits", "8", "-o", tmp.resolve("q.cir").toString());
    assertEquals(1, r.exitCode());
    assertEquals(fixture("digits.npz") + ": error: no array 'input' in the file\n"
        + "hint: it holds calib_images, calib_labels, calib_tokens, eval_images, eval_labels, eval_tokens; "
        + "name the array with --inputs-key\n", r.err());
  }

  @Test
  void labelCountMustMatchTheSamples() {
    Cli r = Cli.run(argsWith("eval_labels", "4", "-o", tmp.resolve("q.cir").toString())
        .toArray(String[]::new));
    assertEquals(1, r.exitCode());
    assertEquals(fixture("digits.npz") + ": error: 'eval_labels' has shape 256, expected 128 labels (one per "
        + "sample of 'calib_images')\nhint: give a 1-D integer array of class indices\n", r.err());
  }

  @Test
  void badFlagsAreUsageErrors() {
    Cli bits = Cli.run(argsWith("calib_labels", "9", "-o", tmp.resolve("q.cir").toString()).toArray(String[]::new));
    assertEquals(2, bits.exitCode());
    assertEquals("error: --weight-bits takes 2 to 8 bits, got 9\n", bits.err());
    Cli opt = Cli.run(args("--optimizer", "rmsprop", "-o", tmp.resolve("q.cir").toString()).toArray(String[]::new));
    assertEquals(2, opt.exitCode());
    assertEquals("error: --optimizer takes adam or sgd, got 'rmsprop'\n", opt.err());
    Cli folder = Cli.run(args("-o", tmp.resolve("missing/q.cir").toString()).toArray(String[]::new));
    assertEquals(2, folder.exitCode());
    assertTrue(folder.err().startsWith("error: -o " + tmp.resolve("missing/q.cir") + ": folder '"), folder.err());
    Cli noData = Cli.run("qat", fixture("digits_cnn.onnx"), "--weight-bits", "2", "--activation-bits", "8", "-o",
        tmp.resolve("q.cir").toString());
    assertEquals(2, noData.exitCode());
    assertTrue(noData.err().startsWith("cimc: Missing required option: '--data=FILE'"), noData.err());
  }
}
