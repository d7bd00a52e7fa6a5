package dev.cimc.frontend.onnx;

import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.ResNetBenchmark;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Import throughput and memory: MB/s of model file and the peak heap an import takes, over repeated
 * imports of one model (targets: ≥ 200 MB/s, peak heap ≤ 2.5 × model size). Without a model it exports
 * a ResNet-50 with random weights (≈ 100 MB) to a temporary file and imports that.
 */
public final class ImportBenchmark {
  private ImportBenchmark() {}

  /** The figures of one benchmark run. */
  public record Report(String model, long bytes, int nodes, double medianMillis, double peakHeapMb) {
    public double megabytesPerSecond() {
      return bytes / 1e6 / (medianMillis / 1e3);
    }

    public String format() {
      return String.format(Locale.ROOT,
          "import %s: %.1f MB, %d nodes: %.1f ms (median), %.1f MB/s; peak heap %.0f MB = %.2f x model size",
          model, bytes / 1e6, nodes, medianMillis, megabytesPerSecond(), peakHeapMb, peakHeapMb / (bytes / 1e6));
    }
  }

  /** Imports {@code model} (or a synthetic ResNet-50 when null) {@code warmups + iterations} times. */
  public static Report run(Path model, int warmups, int iterations) throws IOException {
    Path file = model;
    Path tmp = null;
    if (file == null) {
      tmp = Files.createTempFile("cimc-resnet50-", ".onnx");
      OnnxExporter.export(ResNetBenchmark.resnet50(42), tmp);
      file = tmp;
    }
    try {
      long bytes = Files.size(file);
      ImportOptions options = ImportOptions.defaults();
      int nodes = 0;
      long[] times = new long[iterations];
      for (int i = 0; i < warmups + iterations; i++) {
        long t0 = System.nanoTime();
        Graph g = OnnxImporter.importModel(file, options);
        long t1 = System.nanoTime();
        nodes = g.size();
        if (i >= warmups) {
          times[i - warmups] = t1 - t0;
        }
      }
      java.util.Arrays.sort(times);
      double median = times[iterations / 2] / 1e6;
      double peak = peakHeapOfOneImport(file, options);
      return new Report(model == null ? "synthetic ResNet-50 (random weights)" : model.toString(), bytes, nodes,
          median, peak);
    } finally {
      if (tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /** Heap in use at the peak of one import, above what was in use before it (MB). */
  private static double peakHeapOfOneImport(Path file, ImportOptions options) {
    System.gc();
    long before = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        before += p.getUsage().getUsed();
        p.resetPeakUsage();
      }
    }
    Graph g = OnnxImporter.importModel(file, options);
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        peak += p.getPeakUsage().getUsed();
      }
    }
    if (g.size() < 0) {
      throw new IllegalStateException("unreachable: keeps the graph alive until the peak is read");
    }
    return Math.max(0, peak - before) / 1e6;
  }

  public static void main(String[] args) throws IOException {
    Path model = args.length > 0 ? Path.of(args[0]) : null;
    System.out.println(run(model, 2, 5).format());
  }
}
