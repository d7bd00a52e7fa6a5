package dev.cimc.ir.quant.calibrate;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.TensorFiles;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The samples a graph is calibrated on, produced one at a time so that only one sample is in memory.
 * {@link #directory} reads files, {@link #random} draws inputs (with a warning for the user).
 */
public interface CalibrationData {
  /** Number of samples. */
  int size();

  /** Sample {@code i} (0-based) as graph inputs by name. */
  Map<String, Tensor> sample(int i);

  /** Warnings for the user about this data (empty for real data). */
  List<String> warnings();

  /** {@code size} samples made on demand by {@code sample}, with {@code warnings} for the user. */
  static CalibrationData of(int size, java.util.function.IntFunction<Map<String, Tensor>> sample, List<String> warnings) {
    List<String> w = List.copyOf(warnings);
    return new CalibrationData() {
      @Override
      public int size() {
        return size;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        return sample.apply(i);
      }

      @Override
      public List<String> warnings() {
        return w;
      }
    };
  }

  /** The first {@code n} samples (all of them if there are fewer). */
  default CalibrationData first(int n) {
    return n >= size() ? this : of(n, this::sample, warnings());
  }

  /**
   * The samples in a directory, one per entry in name order: an {@code .npz} file maps its arrays to inputs
   * by name (a single array may have any name when the graph has a single input); an {@code .npy} file is
   * the sample of a single-input graph; a subdirectory holds one {@code .npy} per input, matched by file
   * stem when every stem names an input, else in graph-input order. A single {@code .npz} file instead of a
   * directory holds whole batches ({@link #batches}).
   */
  static CalibrationData directory(Path dir, Graph g) {
    if (Files.isRegularFile(dir) && dir.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npz")) {
      return batches(g, TensorFiles.read(dir), dir.toString());
    }
    if (!Files.isDirectory(dir)) {
      throw new CimcException(Location.file(dir.toString()), "calibration data is not a directory",
          "give a directory of .npy/.npz samples");
    }
    List<Path> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> Files.isDirectory(p) || isTensorFile(p)).sorted().forEach(entries::add);
    } catch (IOException e) {
      throw new CimcException(Location.file(dir.toString()), "cannot list calibration data: " + e.getMessage(), null);
    }
    if (entries.isEmpty()) {
      throw new CimcException(Location.file(dir.toString()), "no .npy or .npz samples in the calibration directory",
          "write one .npz per sample (arrays named like the graph inputs) or one .npy per sample");
    }
    List<String> names = new ArrayList<>();
    for (Value in : g.inputs()) {
      names.add(in.name());
    }
    List<Path> files = List.copyOf(entries);
    return of(files.size(), i -> load(files.get(i), names), List.of());
  }

  private static boolean isTensorFile(Path p) {
    String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".npy") || n.endsWith(".npz");
  }

  private static Map<String, Tensor> load(Path entry, List<String> inputs) {
    String where = entry.toString();
    if (Files.isDirectory(entry)) {
      List<Path> parts = new ArrayList<>();
      try (Stream<Path> s = Files.list(entry)) {
        s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".npy"))
            .sorted().forEach(parts::add);
      } catch (IOException e) {
        throw new CimcException(Location.file(where), "cannot list sample directory: " + e.getMessage(), null);
      }
      var byStem = new LinkedHashMap<String, Tensor>();
      for (Path p : parts) {
        byStem.putAll(TensorFiles.read(p));
      }
      if (byStem.keySet().containsAll(inputs) && byStem.size() == inputs.size()) {
        return byStem;
      }
      if (byStem.size() != inputs.size()) {
        throw new CimcException(Location.file(where), "sample directory holds " + byStem.size()
            + " .npy files, the graph takes " + inputs.size() + " inputs (" + String.join(", ", inputs) + ")",
            "name each file after an input (<input>.npy) or give one file per input in input order");
      }
      var inOrder = new LinkedHashMap<String, Tensor>();
      int k = 0;
      for (Tensor t : byStem.values()) {
        inOrder.put(inputs.get(k++), t);
      }
      return inOrder;
    }
    Map<String, Tensor> read = TensorFiles.read(entry);
    boolean npy = where.toLowerCase(java.util.Locale.ROOT).endsWith(".npy");
    if (inputs.size() == 1 && read.size() == 1) {
      return Map.of(inputs.get(0), read.values().iterator().next());
    }
    if (npy) {
      throw new CimcException(Location.file(where), "a .npy sample holds one array, the graph takes "
          + inputs.size() + " inputs (" + String.join(", ", inputs) + ")",
          "use one .npz per sample with arrays named like the inputs");
    }
    var missing = new ArrayList<String>();
    for (String in : inputs) {
      if (!read.containsKey(in)) {
        missing.add(in);
      }
    }
    if (!missing.isEmpty()) {
      throw new CimcException(Location.file(where), "sample lacks input" + (missing.size() > 1 ? "s " : " ")
          + String.join(", ", missing), "the archive holds: " + String.join(", ", read.keySet()));
    }
    var out = new LinkedHashMap<String, Tensor>();
    for (String in : inputs) {
      out.put(in, read.get(in));
    }
    return out;
  }

  /**
   * The samples of batched arrays (a {@code .npz} of whole data sets): array {@code name} feeds the input of
   * that name (a single array feeds a single-input graph whatever its name); sample i is rows
   * [i·b, (i+1)·b) of each array, b the input's first dimension (1 if dynamic). {@code where} names the
   * source in errors.
   */
  static CalibrationData batches(Graph g, Map<String, Tensor> arrays, String where) {
    var feeds = new LinkedHashMap<String, Tensor>();
    List<Value> inputs = g.inputs();
    if (inputs.size() == 1 && arrays.size() == 1) {
      feeds.put(inputs.get(0).name(), arrays.values().iterator().next());
    } else {
      for (Value in : inputs) {
        Tensor t = arrays.get(in.name());
        if (t == null) {
          throw new CimcException(Location.file(where), "no array named '" + in.name() + "' for the graph input",
              "the archive holds: " + String.join(", ", arrays.keySet()));
        }
        feeds.put(in.name(), t);
      }
    }
    int n = -1;
    var rows = new LinkedHashMap<String, Integer>();
    for (Value in : inputs) {
      Tensor t = feeds.get(in.name());
      int b = in.type().rank() == 0 || in.type().dim(0) == Shape.DYNAMIC ? 1 : in.type().dim(0);
      if (t.shape().rank() != Math.max(1, in.type().rank()) || t.shape().dim(0) % b != 0) {
        throw new CimcException(Location.file(where), "array for input '" + in.name() + "' has shape "
            + t.shape() + ", not a batch of " + in.type(), "stack the samples along the first axis");
      }
      int samples = t.shape().dim(0) / b;
      if (n >= 0 && samples != n) {
        throw new CimcException(Location.file(where), "arrays hold different numbers of samples (" + n + " and "
            + samples + ")", "give every input the same number of samples");
      }
      n = samples;
      rows.put(in.name(), b);
    }
    int count = n;
    return of(count, i -> {
      var out = new LinkedHashMap<String, Tensor>();
      for (var e : feeds.entrySet()) {
        int b = rows.get(e.getKey());
        out.put(e.getKey(), e.getValue().rows(i * b, b));
      }
      return out;
    }, List.of());
  }

  /**
   * The first {@code count} entries along axis 0 of {@code batch} (e.g. {@code calib_images} of shape
   * N×C×H×W), each a sample of the single input {@code input} with a leading dimension of 1.
   */
  static CalibrationData slices(String input, Tensor batch, int count) {
    if (batch.shape().rank() < 1 || count < 1 || count > batch.shape().dim(0)) {
      throw new IllegalArgumentException("cannot take " + count + " samples from a tensor of shape " + batch.shape());
    }
    return of(count, i -> Map.of(input, batch.rows(i, 1)), List.of());
  }

  /**
   * {@code n} samples of standard-normal float inputs (integer inputs are zeros; dynamic dimensions are 1),
   * drawn from {@code seed}: sample i is the same on every call. Carries a warning for the user.
   */
  static CalibrationData random(Graph g, int n, long seed) {
    if (n < 1) {
      throw new CimcException("need at least one calibration sample, got " + n, null);
    }
    List<Value> inputs = g.inputs();
    String warning = "calibrating on " + n + " random sample" + (n == 1 ? "" : "s")
        + " (standard normal inputs): activation ranges will not match real data; give a directory of .npy/.npz"
        + " samples for meaningful ranges";
    return of(n, i -> {
      var rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
      var out = new LinkedHashMap<String, Tensor>();
      for (Value in : inputs) {
        int[] dims = in.type().shape().dims();
        for (int d = 0; d < dims.length; d++) {
          if (dims[d] == Shape.DYNAMIC) {
            dims[d] = 1;
          }
        }
        TensorType t = new TensorType(in.type().elementType(), Shape.of(dims), in.type().quant());
        if (!t.elementType().isFloat()) {
          out.put(in.name(), Tensor.zeros(t));
          continue;
        }
        double[] v = new double[(int) t.numel()];
        for (int k = 0; k < v.length; k++) {
          v[k] = gaussian(rnd);
        }
        out.put(in.name(), Tensor.fromDoubles(t, v));
      }
      return out;
    }, List.of(warning));
  }

  private static double gaussian(SplittableRandom rnd) {
    double u = rnd.nextDouble();
    double w = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
  }
}
