package dev.cimc.frontend.onnx;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cimc.frontend.SharedData;
import dev.cimc.ir.diag.CimcException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Mutates small valid ONNX models and tensor files (bit flips, truncation, inserted, deleted and duplicated
 * bytes) and imports or decodes them: nothing but a {@link CimcException} may escape, and no input may take
 * longer than {@link #TIMEOUT_SECONDS}. The seeds are the models of {@code ../shared/data/onnx-simple} and
 * the small ones of {@code onnx-node}.
 *
 * <p>System properties: {@code cimc.fuzz.iterations} (default 10,000), {@code cimc.fuzz.seed} (default 1).
 * Failing inputs are written to {@code target/fuzz-failures/} for reproduction.
 */
class OnnxImportFuzzTest {
  private static final long TIMEOUT_SECONDS = 10;
  private static final int MAX_SEED_BYTES = 16 * 1024;

  private record Seed(String name, byte[] bytes, boolean model) {}

  @Test
  void mutatedInputsOnlyRaiseCimcExceptions() throws Exception {
    int iterations = Integer.getInteger("cimc.fuzz.iterations", 10_000);
    long seed = Long.getLong("cimc.fuzz.seed", 1L);
    List<Seed> seeds = seeds();
    var rnd = new Random(seed);
    var failures = new ArrayList<String>();
    int imported = 0;
    int rejected = 0;
    long start = System.nanoTime();
    ExecutorService worker = newWorker();
    try {
      for (int it = 0; it < iterations && failures.size() < 10; it++) {
        Seed s = seeds.get(rnd.nextInt(seeds.size()));
        var mutation = new StringBuilder();
        byte[] input = s.model() && rnd.nextInt(3) == 0 ? mutateStructure(s.bytes(), rnd, mutation)
            : mutate(s.bytes(), rnd, mutation);
        var task = worker.submit(() -> {
          if (s.model()) {
            OnnxImporter.importModel(input, "fuzz.onnx", ImportOptions.defaults());
          } else {
            TensorProtoFiles.decode(input, "fuzz.pb");
          }
          return null;
        });
        try {
          task.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          imported++;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof CimcException) {
            rejected++;
          } else {
            failures.add(report(it, s, mutation, input, e.getCause()));
          }
        } catch (TimeoutException e) {
          task.cancel(true);
          worker.shutdownNow();
          worker = newWorker();
          failures.add(report(it, s, mutation, input, new IllegalStateException("no result after " + TIMEOUT_SECONDS
              + " s")));
        }
      }
    } finally {
      worker.shutdownNow();
    }
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf("onnx fuzz: %d inputs (seed %d) in %.1f s: %d imported, %d rejected with a CimcException, "
        + "%d failures%n", imported + rejected + failures.size(), seed, secs, imported, rejected, failures.size());
    if (!failures.isEmpty()) {
      fail(String.join("\n\n", failures));
    }
  }

  private static ExecutorService newWorker() {
    return Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "onnx-fuzz");
      t.setDaemon(true);
      return t;
    });
  }

  private static List<Seed> seeds() throws IOException {
    var seeds = new ArrayList<Seed>();
    for (String suite : List.of("onnx-simple", "onnx-node")) {
      try (Stream<Path> cases = Files.list(SharedData.dir(suite))) {
        for (Path c : cases.sorted().toList()) {
          Path m = c.resolve("model.onnx");
          if (Files.isRegularFile(m) && Files.size(m) <= MAX_SEED_BYTES) {
            seeds.add(new Seed(c.getFileName() + "/model.onnx", Files.readAllBytes(m), true));
            Path pb = c.resolve("test_data_set_0/input_0.pb");
            if (Files.isRegularFile(pb) && Files.size(pb) <= MAX_SEED_BYTES) {
              seeds.add(new Seed(c.getFileName() + "/input_0.pb", Files.readAllBytes(pb), false));
            }
          }
        }
      }
    }
    return seeds;
  }

  /** Applies one to three random mutations, describing them in {@code log}. */
  static byte[] mutate(byte[] in, Random rnd, StringBuilder log) {
    byte[] b = in.clone();
    int rounds = 1 + rnd.nextInt(3);
    for (int r = 0; r < rounds; r++) {
      int kind = rnd.nextInt(b.length == 0 ? 1 : 6);
      switch (kind) {
        case 0 -> {
          byte[] ins = new byte[1 + rnd.nextInt(16)];
          rnd.nextBytes(ins);
          int at = rnd.nextInt(b.length + 1);
          b = splice(b, at, 0, ins);
          log.append("insert ").append(ins.length).append(" bytes at ").append(at).append("; ");
        }
        case 1, 2 -> {
          int flips = 1 + rnd.nextInt(8);
          for (int i = 0; i < flips; i++) {
            int at = rnd.nextInt(b.length);
            b[at] ^= (byte) (1 << rnd.nextInt(8));
          }
          log.append("flip ").append(flips).append(" bits; ");
        }
        case 3 -> {
          int len = rnd.nextInt(b.length);
          b = java.util.Arrays.copyOf(b, len);
          log.append("truncate to ").append(len).append("; ");
        }
        case 4 -> {
          int at = rnd.nextInt(b.length);
          int len = Math.min(b.length - at, 1 + rnd.nextInt(32));
          b = splice(b, at, len, new byte[0]);
          log.append("delete ").append(len).append(" bytes at ").append(at).append("; ");
        }
        default -> {
          // overwrite with a large varint-like value, where lengths and dims live
          int at = rnd.nextInt(b.length);
          int len = Math.min(b.length - at, 1 + rnd.nextInt(5));
          for (int i = 0; i < len; i++) {
            b[at + i] = (byte) (i < len - 1 ? 0x80 | rnd.nextInt(128) : rnd.nextInt(128));
          }
          log.append("overwrite ").append(len).append(" bytes at ").append(at).append(" with a varint; ");
        }
      }
    }
    return b;
  }

  private static final long[] INTERESTING = {0, 1, -1, 2, 3, -2, 7, 255, 1L << 20, 1L << 31, -(1L << 31),
      Integer.MAX_VALUE, Long.MAX_VALUE, Long.MIN_VALUE};

  private static long interesting(Random rnd) {
    return rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextInt(64) - 16;
  }

  /**
   * Parses a seed model and changes one thing that the parser accepts but the importer must judge: an int,
   * ints or float attribute, a dimension of an input or initializer, an op type, an input name, the opset.
   */
  static byte[] mutateStructure(byte[] in, Random rnd, StringBuilder log) {
    dev.cimc.frontend.onnx.proto.Onnx.ModelProto m;
    try {
      m = dev.cimc.frontend.onnx.proto.Onnx.ModelProto.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return in;
    }
    var b = m.toBuilder();
    var g = b.getGraphBuilder();
    int kind = rnd.nextInt(6);
    if (kind <= 1 && g.getNodeCount() > 0) {
      var node = g.getNodeBuilder(rnd.nextInt(g.getNodeCount()));
      if (node.getAttributeCount() > 0) {
        var a = node.getAttributeBuilder(rnd.nextInt(node.getAttributeCount()));
        if (a.getIntsCount() > 0) {
          a.setInts(rnd.nextInt(a.getIntsCount()), interesting(rnd));
        } else if (a.hasI()) {
          a.setI(interesting(rnd));
        } else if (a.hasF()) {
          a.setF(rnd.nextBoolean() ? Float.NaN : (float) interesting(rnd));
        } else if (a.hasT() && a.getT().getDimsCount() > 0) {
          a.getTBuilder().setDims(rnd.nextInt(a.getT().getDimsCount()), interesting(rnd));
        }
        log.append("attribute ").append(a.getName()).append(" of ").append(node.getOpType()).append("; ");
      }
    } else if (kind == 2 && g.getInitializerCount() > 0) {
      var t = g.getInitializerBuilder(rnd.nextInt(g.getInitializerCount()));
      if (t.getDimsCount() > 0) {
        t.setDims(rnd.nextInt(t.getDimsCount()), interesting(rnd));
      } else {
        t.addDims(interesting(rnd));
      }
      log.append("dims of initializer ").append(t.getName()).append("; ");
    } else if (kind == 3 && g.getInputCount() > 0) {
      var vi = g.getInputBuilder(rnd.nextInt(g.getInputCount()));
      var shape = vi.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
      if (shape.getDimCount() > 0) {
        shape.getDimBuilder(rnd.nextInt(shape.getDimCount())).setDimValue(interesting(rnd));
      }
      log.append("dims of input ").append(vi.getName()).append("; ");
    } else if (kind == 4 && g.getNodeCount() > 0) {
      var node = g.getNodeBuilder(rnd.nextInt(g.getNodeCount()));
      var ops = OnnxImporter.supportedOps();
      node.setOpType(ops.get(rnd.nextInt(ops.size())));
      log.append("op type to ").append(node.getOpType()).append("; ");
    } else if (g.getNodeCount() > 1) {
      var node = g.getNodeBuilder(rnd.nextInt(g.getNodeCount()));
      var other = g.getNode(rnd.nextInt(g.getNodeCount()));
      if (node.getInputCount() > 0 && other.getOutputCount() > 0) {
        node.setInput(rnd.nextInt(node.getInputCount()), other.getOutput(0));
      }
      if (rnd.nextBoolean()) {
        b.setOpsetImport(0, b.getOpsetImport(0).toBuilder().setVersion(6 + rnd.nextInt(22)));
      }
      log.append("rewired an input of ").append(node.getOpType()).append("; ");
    }
    return b.build().toByteArray();
  }

  private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
    byte[] out = new byte[b.length - remove + insert.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
    return out;
  }

  private static String report(int iteration, Seed s, StringBuilder mutation, byte[] input, Throwable t) {
    Path dir = Path.of(System.getProperty("basedir", "."), "target", "fuzz-failures");
    Path file = dir.resolve("iteration-" + iteration + (s.model() ? ".onnx" : ".pb"));
    try {
      Files.createDirectories(dir);
      Files.write(file, input);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    String trace = sw.toString().lines().limit(12).reduce((a, b) -> a + "\n" + b).orElse("");
    return "iteration " + iteration + ": " + s.name() + " after " + mutation + "(saved as " + file + ")\n" + trace;
  }
}
