package dev.cimc.frontend.dsl;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model's weight initializer ({@code init he_normal(seed=7)}), so a model compiles before it is trained.
 * Each tensor draws from its own {@link SplittableRandom} seeded from the model seed and the tensor's name,
 * and normal samples come from the polar method, so the weights are the same bytes on
 * every run and every platform ({@code Math.sqrt} is exact, the logarithm is {@link StrictMath}'s), and
 * renaming or adding one layer leaves the others' weights unchanged.
 * Only {@link WeightRole#WEIGHT} tensors use the scheme; biases and normalization constants are fixed.
 *
 * @param scheme the scheme's name
 * @param scale the scheme's parameter: the standard deviation of {@code normal}, the limit of
 *     {@code uniform}, unused otherwise
 * @param seed the model seed
 */
record Initializer(String scheme, double scale, long seed) {

  /** The schemes and their parameters, in the order help text lists them. */
  static final Map<String, Signature> SCHEMES = schemes();

  private static Map<String, Signature> schemes() {
    var m = new LinkedHashMap<String, Signature>();
    ParamSpec seed = ParamSpec.optional("seed", Kind.INT, new Val.IntV(0));
    for (String s : List.of("he_normal", "he_uniform", "xavier_normal", "xavier_uniform")) {
      m.put(s, new Signature(s, "initializer", List.of(seed)));
    }
    m.put("normal", new Signature("normal", "initializer",
        List.of(ParamSpec.optional("std", Kind.FLOAT, new Val.FloatV(0.01)), seed)));
    m.put("uniform", new Signature("uniform", "initializer",
        List.of(ParamSpec.optional("limit", Kind.FLOAT, new Val.FloatV(0.05)), seed)));
    m.put("zeros", new Signature("zeros", "initializer", List.of()));
    m.put("ones", new Signature("ones", "initializer", List.of()));
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Values for the tensor {@code name} of {@code count} elements with the given fans (PyTorch's definition). */
  float[] values(String name, int count, long fanIn, long fanOut) {
    float[] out = new float[count];
    switch (scheme) {
      case "zeros":
        return out;
      case "ones":
        java.util.Arrays.fill(out, 1f);
        return out;
      default:
        break;
    }
    var random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ fnv1a(name));
    switch (scheme) {
      case "he_normal":
        normal(random, out, Math.sqrt(2.0 / Math.max(1, fanIn)));
        break;
      case "xavier_normal":
        normal(random, out, Math.sqrt(2.0 / Math.max(1, fanIn + fanOut)));
        break;
      case "normal":
        normal(random, out, scale);
        break;
      case "he_uniform":
        uniform(random, out, Math.sqrt(6.0 / Math.max(1, fanIn)));
        break;
      case "xavier_uniform":
        uniform(random, out, Math.sqrt(6.0 / Math.max(1, fanIn + fanOut)));
        break;
      case "uniform":
        uniform(random, out, scale);
        break;
      default:
        throw new IllegalStateException("unknown initializer " + scheme);
    }
    return out;
  }

  /** Marsaglia's polar method: pairs of normal samples from pairs of uniforms, one logarithm per pair. */
  private static void normal(SplittableRandom r, float[] out, double std) {
    for (int i = 0; i < out.length; i += 2) {
      double u;
      double v;
      double s;
      do {
        u = 2.0 * r.nextDouble() - 1.0;
        v = 2.0 * r.nextDouble() - 1.0;
        s = u * u + v * v;
      } while (s >= 1.0 || s == 0.0);
      double m = Math.sqrt(-2.0 * StrictMath.log(s) / s) * std;
      out[i] = (float) (u * m);
      if (i + 1 < out.length) {
        out[i + 1] = (float) (v * m);
      }
    }
  }

  private static void uniform(SplittableRandom r, float[] out, double limit) {
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((2.0 * r.nextDouble() - 1.0) * limit);
    }
  }

  /** 64-bit FNV-1a of the UTF-8 bytes: a stable hash (String.hashCode has only 32 bits). */
  static long fnv1a(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** How the statement reads: {@code he_normal(seed=7)}. */
  String describe() {
    switch (scheme) {
      case "zeros":
      case "ones":
        return scheme;
      case "normal":
        return "normal(std=" + scale + ", seed=" + seed + ")";
      case "uniform":
        return "uniform(limit=" + scale + ", seed=" + seed + ")";
      default:
        return scheme + "(seed=" + seed + ")";
    }
  }
}
