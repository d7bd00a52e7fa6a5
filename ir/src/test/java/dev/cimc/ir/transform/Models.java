package dev.cimc.ir.transform;

import static dev.cimc.ir.transform.TransformTesting.f32;
import static dev.cimc.ir.transform.TransformTesting.perm;
import static dev.cimc.ir.transform.TransformTesting.shape;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.tensor.Tensor;

/** Small models with something for every pass to do, for the interpreter-before-vs-after tests. */
final class Models {
  private Models() {}

  /** Weights in quarter steps from -0.75 to 0.75, readable in golden text. */
  static Tensor ramp(int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = ((i * 5) % 7 - 3) * 0.25f;
    }
    return Tensor.ofFloats(dims, v);
  }

  /**
   * A two-layer perceptron written clumsily: weights transposed once and thrice, identities, a reshape
   * round trip, a bias computed from constants, a dead branch, a pair of inverse transposes.
   */
  static Graph mlp() {
    var b = new GraphBuilder("mlp", TransformTesting.OPS);
    Value x = b.input("x", f32(2, 3));
    Value w1t = b.named("w1t", "graph.transpose", perm(1, 0), b.constant("w1", ramp(4, 3)));
    Value bias = b.named("bias", "graph.mul", Attributes.EMPTY, b.constant("b1", ramp(4)),
        b.constant("half", Tensor.ofFloats(new int[] {1}, 0.5f)));
    Value h = b.named("h", "graph.matmul", Attributes.EMPTY, b.named("xi", "graph.identity", Attributes.EMPTY, x), w1t);
    Value r = b.named("r", "graph.relu", Attributes.EMPTY, b.named("hb", "graph.add", Attributes.EMPTY, h, bias));
    b.named("dead", "graph.mul", Attributes.EMPTY, r, r);
    Value flat = b.named("flat", "graph.reshape", shape(-1), r);
    Value back = b.named("back", "graph.reshape", shape(2, 4), flat);
    Value w2 = b.constant("w2", ramp(2, 4));
    Value w2t = b.named("w2t3", "graph.transpose", perm(1, 0), b.named("w2t2", "graph.transpose", perm(1, 0),
        b.named("w2t1", "graph.transpose", perm(1, 0), w2)));
    Value y = b.named("y", "graph.matmul", Attributes.EMPTY, back, w2t);
    Value y3 = b.named("y3", "graph.reshape", shape(2, 1, 2), y);
    Value z = b.named("z", "graph.transpose", perm(2, 0, 1), b.named("t", "graph.transpose", perm(1, 2, 0), y3));
    b.output(b.named("out", "graph.identity", Attributes.EMPTY, z), b.named("col", "graph.reshape", shape(4, 1), y));
    return b.build();
  }
}
