package dev.cimc.ir.autodiff;

import org.junit.jupiter.api.Test;

/** Every gradient rule against central finite differences (see {@link FiniteDifferences} for the tolerance). */
class GradRulesTest {
  private static String graph(String inputs, String result, String body) {
    return "graph @g(" + inputs + ") -> " + result + " {\n" + body + "\n}\n";
  }

  @Test
  void conv2dWithPaddingAndBias() {
    FiniteDifferences.check(graph("%x: tensor<2x3x5x5xf64>, %w: tensor<4x3x3x3xf64>, %b: tensor<4xf64>",
        "tensor<2x4x5x5xf64>", """
          %y = graph.conv2d(%x, %w, %b) {pads = [1, 1, 1, 1]} : tensor<2x4x5x5xf64>
          return %y"""), 1);
  }

  @Test
  void conv2dStridedDilatedAsymmetricPads() {
    // rows (7 + 0 + 1 − 5) / 2 + 1 = 2, columns (6 + 1 + 0 − 4) / 2 + 1 = 2
    FiniteDifferences.check(graph("%x: tensor<1x2x7x6xf64>, %w: tensor<3x2x3x2xf64>",
        "tensor<1x3x2x2xf64>", """
          %y = graph.conv2d(%x, %w) {strides = [2, 2], dilations = [2, 3], pads = [0, 1, 1, 0]} : tensor<1x3x2x2xf64>
          return %y"""), 2);
  }

  @Test
  void conv2dGroups() {
    FiniteDifferences.check(graph("%x: tensor<2x4x4x4xf64>, %w: tensor<6x2x3x3xf64>, %b: tensor<6xf64>",
        "tensor<2x6x2x2xf64>", """
          %y = graph.conv2d(%x, %w, %b) {group = 2, strides = [2, 2], pads = [1, 1, 1, 1]} : tensor<2x6x2x2xf64>
          return %y"""), 3);
  }

  @Test
  void conv2dDepthwise() {
    FiniteDifferences.check(graph("%x: tensor<1x3x5x5xf64>, %w: tensor<3x1x3x3xf64>, %b: tensor<3xf64>",
        "tensor<1x3x5x5xf64>", """
          %y = graph.conv2d(%x, %w, %b) {group = 3, pads = [1, 1, 1, 1]} : tensor<1x3x5x5xf64>
          return %y"""), 4);
  }

  @Test
  void gemmPlain() {
    FiniteDifferences.check(graph("%a: tensor<3x4xf64>, %b: tensor<4x5xf64>, %c: tensor<5xf64>", "tensor<3x5xf64>",
        """
          %y = graph.gemm(%a, %b, %c) : tensor<3x5xf64>
          return %y"""), 5);
  }

  @Test
  void gemmTransposedScaled() {
    FiniteDifferences.check(graph("%a: tensor<4x3xf64>, %b: tensor<5x4xf64>, %c: tensor<3x5xf64>", "tensor<3x5xf64>",
        """
          %y = graph.gemm(%a, %b, %c) {trans_a = 1, trans_b = 1, alpha = 0.75, beta = -1.5} : tensor<3x5xf64>
          return %y"""), 6);
  }

  @Test
  void gemmBroadcastRowBiasAndNoBias() {
    FiniteDifferences.check(graph("%a: tensor<2x3xf64>, %b: tensor<3x4xf64>, %c: tensor<1x4xf64>", "tensor<2x4xf64>",
        """
          %y = graph.gemm(%a, %b, %c) {beta = 2.0} : tensor<2x4xf64>
          return %y"""), 7);
    FiniteDifferences.check(graph("%a: tensor<2x3xf64>, %b: tensor<4x3xf64>", "tensor<2x4xf64>",
        """
          %y = graph.gemm(%a, %b) {trans_b = 1} : tensor<2x4xf64>
          return %y"""), 8);
  }

  @Test
  void matmulBatchedAndBroadcast() {
    FiniteDifferences.check(graph("%a: tensor<2x3x4xf64>, %b: tensor<4x5xf64>", "tensor<2x3x5xf64>", """
          %y = graph.matmul(%a, %b) : tensor<2x3x5xf64>
          return %y"""), 9);
    FiniteDifferences.check(graph("%a: tensor<2x1x3x4xf64>, %b: tensor<3x4x2xf64>", "tensor<2x3x3x2xf64>", """
          %y = graph.matmul(%a, %b) : tensor<2x3x3x2xf64>
          return %y"""), 10);
  }

  @Test
  void matmulVectors() {
    FiniteDifferences.check(graph("%a: tensor<4xf64>, %b: tensor<2x4x3xf64>", "tensor<2x3xf64>", """
          %y = graph.matmul(%a, %b) : tensor<2x3xf64>
          return %y"""), 11);
    FiniteDifferences.check(graph("%a: tensor<3x4xf64>, %b: tensor<4xf64>", "tensor<3xf64>", """
          %y = graph.matmul(%a, %b) : tensor<3xf64>
          return %y"""), 12);
  }

  @Test
  void addSubMulBroadcast() {
    FiniteDifferences.check(graph("%a: tensor<2x3x4xf64>, %b: tensor<3x1xf64>", "tensor<2x3x4xf64>", """
          %y = graph.add(%a, %b) : tensor<2x3x4xf64>
          return %y"""), 13);
    FiniteDifferences.check(graph("%a: tensor<1xf64>, %b: tensor<2x1x4xf64>", "tensor<2x1x4xf64>", """
          %y = graph.sub(%a, %b) : tensor<2x1x4xf64>
          return %y"""), 14);
    FiniteDifferences.check(graph("%a: tensor<2x3x1xf64>, %b: tensor<1x3x4xf64>", "tensor<2x3x4xf64>", """
          %y = graph.mul(%a, %b) : tensor<2x3x4xf64>
          return %y"""), 15);
  }

  @Test
  void reluAndClipAwayFromKinks() {
    // |x| ≥ 0.05 and x not within 0.05 of 6: the finite differences never straddle a kink
    FiniteDifferences.check(graph("%x: tensor<3x5xf64>", "tensor<3x5xf64>", """
          %y = graph.relu(%x) : tensor<3x5xf64>
          return %y"""), 16, FiniteDifferences::awayFromZero);
    FiniteDifferences.check(graph("%x: tensor<4x6xf64>", "tensor<4x6xf64>", """
          %y = graph.clip(%x) {min = 0.0, max = 6.0} : tensor<4x6xf64>
          return %y"""), 17, z -> FiniteDifferences.awayFromZero(z) * 5 + 0.3);
  }

  @Test
  void maxPool() {
    FiniteDifferences.check(graph("%x: tensor<2x2x4x4xf64>", "tensor<2x2x2x2xf64>", """
          %y = graph.max_pool(%x) {kernel_shape = [2, 2], strides = [2, 2]} : tensor<2x2x2x2xf64>
          return %y"""), 18);
    FiniteDifferences.check(graph("%x: tensor<1x2x5x5xf64>", "tensor<1x2x3x3xf64>", """
          %y = graph.max_pool(%x) {kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1]} : tensor<1x2x3x3xf64>
          return %y"""), 19);
    FiniteDifferences.check(graph("%x: tensor<1x1x6x6xf64>", "tensor<1x1x3x3xf64>", """
          %y = graph.max_pool(%x) {kernel_shape = [2, 2], strides = [2, 2], dilations = [2, 2], ceil_mode = 1} : tensor<1x1x3x3xf64>
          return %y"""), 20);
  }

  @Test
  void averagePools() {
    FiniteDifferences.check(graph("%x: tensor<1x2x5x5xf64>", "tensor<1x2x3x3xf64>", """
          %y = graph.average_pool(%x) {kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1]} : tensor<1x2x3x3xf64>
          return %y"""), 21);
    FiniteDifferences.check(graph("%x: tensor<1x2x5x5xf64>", "tensor<1x2x3x3xf64>", """
          %y = graph.average_pool(%x) {kernel_shape = [3, 3], strides = [2, 2], pads = [1, 1, 1, 1], count_include_pad = 1} : tensor<1x2x3x3xf64>
          return %y"""), 22);
    FiniteDifferences.check(graph("%x: tensor<2x3x4x5xf64>", "tensor<2x3x1x1xf64>", """
          %y = graph.global_average_pool(%x) : tensor<2x3x1x1xf64>
          return %y"""), 23);
  }

  @Test
  void shapeOps() {
    FiniteDifferences.check(graph("%x: tensor<2x3x4xf64>", "tensor<4x2x3xf64>", """
          %t = graph.transpose(%x) {perm = [2, 0, 1]} : tensor<4x2x3xf64>
          %f = graph.flatten(%t) {axis = 1} : tensor<4x6xf64>
          %r = graph.reshape(%f) {shape = [4, 2, 3]} : tensor<4x2x3xf64>
          %i = graph.identity(%r) : tensor<4x2x3xf64>
          %y = graph.mul(%i, %i) : tensor<4x2x3xf64>
          return %y"""), 24);
    FiniteDifferences.check(graph("%x: tensor<2x3x4xf64>", "tensor<4x3x2xf64>", """
          %y = graph.transpose(%x) : tensor<4x3x2xf64>
          return %y"""), 25);
  }

  @Test
  void batchNormInferenceForm() {
    // var = x² + 0.5 > 0 keeps the square root smooth
    FiniteDifferences.check(graph("%x: tensor<2x3x2x2xf64>, %s: tensor<3xf64>, %b: tensor<3xf64>, %m: tensor<3xf64>, %v0: tensor<3xf64>",
        "tensor<2x3x2x2xf64>", """
          %v1 = graph.mul(%v0, %v0) : tensor<3xf64>
          %h = const dense<0.5> : tensor<f64>
          %v = graph.add(%v1, %h) : tensor<3xf64>
          %y = graph.batch_norm(%x, %s, %b, %m, %v) {epsilon = 0.001} : tensor<2x3x2x2xf64>
          return %y"""), 26);
  }

  @Test
  void softmaxAlongAxes() {
    FiniteDifferences.check(graph("%x: tensor<2x3x4xf64>", "tensor<2x3x4xf64>", """
          %y = graph.softmax(%x) {axis = 1} : tensor<2x3x4xf64>
          return %y"""), 27);
    FiniteDifferences.check(graph("%x: tensor<3x5xf64>", "tensor<3x5xf64>", """
          %y = graph.softmax(%x) : tensor<3x5xf64>
          return %y"""), 28);
  }

  @Test
  void aSmallNetworkEndToEnd() {
    // the rules composed: fan-out, broadcasting, kinks (a fixed draw keeps the differences off them)
    FiniteDifferences.check(graph("%x: tensor<2x2x6x6xf64>, %w: tensor<4x2x3x3xf64>, %b: tensor<4xf64>, "
        + "%s: tensor<4x1x1xf64>, %fc: tensor<3x36xf64>", "tensor<2x3xf64>", """
          %c = graph.conv2d(%x, %w, %b) {pads = [1, 1, 1, 1], strides = [2, 2]} : tensor<2x4x3x3xf64>
          %m = graph.mul(%c, %s) : tensor<2x4x3x3xf64>
          %r = graph.relu(%m) : tensor<2x4x3x3xf64>
          %a = graph.add(%r, %c) : tensor<2x4x3x3xf64>
          %f = graph.flatten(%a) {axis = 1} : tensor<2x36xf64>
          %l = graph.gemm(%f, %fc) {trans_b = 1} : tensor<2x3xf64>
          %y = graph.softmax(%l) : tensor<2x3xf64>
          return %y"""), 29);
  }
}
