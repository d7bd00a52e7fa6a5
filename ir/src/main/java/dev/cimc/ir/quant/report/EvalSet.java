package dev.cimc.ir.quant.report;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluation data for a {@link QuantReport}: samples, and integer labels (one per row of the first output)
 * or null. {@link #of} reads either a directory of samples (as {@code --calib} takes; no labels) or one
 * {@code .npz} of stacked rows: one array per graph input, rows along axis 0, cut into samples of the
 * input's batch size, and optionally an integer array of labels.
 *
 * @param samples the samples
 * @param labels class index per row, or null
 */
public record EvalSet(CalibrationData samples, long[] labels) {
  public EvalSet {
    labels = labels == null ? null : labels.clone();
  }

  /** The labels, or null (a copy). */
  @Override
  public long[] labels() {
    return labels == null ? null : labels.clone();
  }

  /**
   * Reads {@code data} for graph {@code g}. For an {@code .npz}: inputs are the arrays named like the graph
   * inputs, or, for a single-input graph, {@code inputsKey} (the only non-label array when null); labels are
   * {@code labelsKey}, else an array named {@code labels} if present, else none.
   */
  public static EvalSet of(Path data, Graph g, String inputsKey, String labelsKey) {
    if (Files.isDirectory(data)) {
      if (labelsKey != null) {
        throw new CimcException(Location.file(data.toString()), "labels come with stacked .npz evaluation data",
            "put the samples and the labels in one .npz (rows along axis 0)");
      }
      return new EvalSet(CalibrationData.directory(data, g), null);
    }
    Location where = Location.file(data.toString());
    Map<String, Tensor> arrays = NpzFormat.read(data);
    String lk = labelsKey != null ? labelsKey : arrays.containsKey("labels") ? "labels" : null;
    long[] labels = null;
    if (lk != null) {
      Tensor l = require(arrays, lk, where, "labels");
      if (!l.elementType().isInteger()) {
        throw new CimcException(where, "labels `" + lk + "` are " + l.elementType() + ", not integers",
            "store class indices (e.g. int64)");
      }
      labels = l.toLongArray();
    }
    List<Value> inputs = g.inputs();
    var stacked = new LinkedHashMap<String, Tensor>();
    if (inputs.size() == 1 && !arrays.containsKey(inputs.get(0).name())) {
      String key = inputsKey;
      if (key == null) {
        var rest = new ArrayList<String>(arrays.keySet());
        rest.remove(lk);
        if (rest.size() != 1) {
          throw new CimcException(where, "cannot tell which array holds the input `" + inputs.get(0).name()
              + "`: the archive holds " + String.join(", ", arrays.keySet()), "name the inputs array");
        }
        key = rest.get(0);
      }
      stacked.put(inputs.get(0).name(), require(arrays, key, where, "inputs"));
    } else {
      for (Value in : inputs) {
        stacked.put(in.name(), require(arrays, in.name(), where, "input"));
      }
    }
    int count = -1;
    var per = new LinkedHashMap<String, TensorType>();
    for (Value in : inputs) {
      Tensor t = stacked.get(in.name());
      TensorType it = in.type();
      int[] dims = it.shape().dims();
      int batch = dims.length == 0 || dims[0] == Shape.DYNAMIC ? 1 : dims[0];
      if (dims.length > 0) {
        dims[0] = batch;
      }
      TensorType sample = new TensorType(it.elementType(), Shape.of(dims), it.quant());
      if (!sample.shape().isStatic() || t.type().rank() != sample.rank() || t.type().rank() == 0
          || t.type().dim(0) % batch != 0 || !sameTrailing(t.type(), sample)) {
        throw new CimcException(where, "array for input `" + in.name() + "` has shape " + t.type().shape()
            + ", expected rows of " + sample.shape() + " stacked along axis 0", null);
      }
      int n = t.type().dim(0) / batch;
      if (count >= 0 && n != count) {
        throw new CimcException(where, "the inputs hold different numbers of samples (" + count + " and " + n + ")",
            null);
      }
      count = n;
      per.put(in.name(), sample);
    }
    int samples = count;
    return new EvalSet(new CalibrationData() {
      @Override
      public int size() {
        return samples;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        var out = new LinkedHashMap<String, Tensor>();
        for (var e : per.entrySet()) {
          out.put(e.getKey(), slice(stacked.get(e.getKey()), e.getValue(), i));
        }
        return out;
      }

      @Override
      public List<String> warnings() {
        return List.of();
      }
    }, labels);
  }

  private static Tensor require(Map<String, Tensor> arrays, String key, Location where, String what) {
    Tensor t = arrays.get(key);
    if (t == null) {
      String near = Spelling.didYouMean(key, arrays.keySet());
      throw new CimcException(where, "no " + what + " array `" + key + "` in the archive",
          near != null ? near : "the archive holds: " + String.join(", ", arrays.keySet()));
    }
    return t;
  }

  private static boolean sameTrailing(TensorType a, TensorType b) {
    for (int d = 1; d < a.rank(); d++) {
      if (a.dim(d) != b.dim(d)) {
        return false;
      }
    }
    return true;
  }

  /** Sample {@code i}: rows {@code [i·batch, (i+1)·batch)} of {@code all}, as the input's type. */
  private static Tensor slice(Tensor all, TensorType sample, int i) {
    int per = (int) sample.numel();
    if (all.elementType() == sample.elementType() && all.rawData() instanceof float[] f) {
      return Tensor.wrap(sample, java.util.Arrays.copyOfRange(f, i * per, (i + 1) * per));
    }
    if (sample.elementType().isFloat()) {
      double[] v = new double[per];
      for (int k = 0; k < per; k++) {
        v[k] = all.getDouble(i * per + k);
      }
      return Tensor.fromDoubles(sample, v);
    }
    long[] v = new long[per];
    for (int k = 0; k < per; k++) {
      v[k] = all.getLong(i * per + k);
    }
    return Tensor.fromLongs(sample, v);
  }
}
