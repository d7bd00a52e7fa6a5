package dev.cimc.ir.quant.qat;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.quant.calibrate.CalibrationData;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Classification samples for one graph input: {@code N} inputs stacked along a leading axis, each shaped
 * like the graph input without its batch dimension of 1, and one integer label per sample.
 *
 * @param input the graph input the samples feed
 * @param samples f32 tensor N × (input dims after the first)
 * @param labels class per sample
 */
public record LabelledData(String input, Tensor samples, int[] labels) {
  public LabelledData {
    labels = labels.clone();
    if (samples.elementType() != ElementType.F32) {
      throw new IllegalArgumentException("samples must be f32, got " + samples.type());
    }
    if (samples.shape().rank() < 1 || samples.shape().dim(0) != labels.length) {
      throw new IllegalArgumentException("need one label per sample: " + samples.type() + " and " + labels.length
          + " labels");
    }
  }

  /**
   * Samples for {@code g}'s single input from an array of N samples and a label array of N integers, checking
   * shapes against the graph (the user's data: errors are {@link CimcException}s naming the arrays).
   */
  public static LabelledData of(Graph g, Tensor samples, Tensor labels, String samplesName, String labelsName) {
    if (g.inputs().size() != 1) {
      throw new CimcException("training needs a graph with one input, @" + g.name() + " has " + g.inputs().size(),
          null);
    }
    Value in = g.input(0);
    int[] want = in.type().shape().dims();
    int[] got = samples.shape().dims();
    boolean ok = got.length == want.length && (want[0] == 1 || want[0] == Shape.DYNAMIC);
    for (int d = 1; ok && d < want.length; d++) {
      ok = want[d] == Shape.DYNAMIC || want[d] == got[d];
    }
    if (!ok) {
      throw new CimcException("'" + samplesName + "' has shape " + samples.shape() + ", the input '" + in.name()
          + "' takes " + in.type().shape() + " per sample",
          "stack the samples along the first axis: N×" + String.join("×", dims(want, 1)));
    }
    if (labels.shape().rank() != 1 || labels.shape().dim(0) != got[0]) {
      throw new CimcException("'" + labelsName + "' has shape " + labels.shape() + ", expected " + got[0]
          + " labels (one per sample of '" + samplesName + "')", "give a 1-D integer array of class indices");
    }
    if (labels.elementType().isFloat()) {
      throw new CimcException("'" + labelsName + "' holds " + labels.elementType() + ", labels must be integers",
          "store the class indices as int64 or int32");
    }
    int[] l = new int[got[0]];
    for (int i = 0; i < l.length; i++) {
      l[i] = Math.toIntExact(labels.getLong(i));
    }
    Tensor f = samples.elementType() == ElementType.F32 ? samples
        : Tensor.wrap(samples.type().withElementType(ElementType.F32), samples.toFloatArray());
    return new LabelledData(in.name(), f, l);
  }

  private static List<String> dims(int[] d, int from) {
    var out = new java.util.ArrayList<String>();
    for (int i = from; i < d.length; i++) {
      out.add(d[i] == Shape.DYNAMIC ? "?" : String.valueOf(d[i]));
    }
    return out;
  }

  public int size() {
    return labels.length;
  }

  public int label(int i) {
    return labels[i];
  }

  @Override
  public int[] labels() {
    return labels.clone();
  }

  /** Sample {@code i} shaped as a batch of one. */
  public Tensor sample(int i) {
    int[] d = samples.shape().dims();
    int per = samples.size() / d[0];
    int[] one = d.clone();
    one[0] = 1;
    return Tensor.wrap(TensorType.of(ElementType.F32, one), Arrays.copyOfRange(samples.floats(), i * per, (i + 1) * per));
  }

  /** The samples as calibration data (labels unused). */
  public CalibrationData calibration() {
    return new CalibrationData() {
      @Override
      public int size() {
        return labels.length;
      }

      @Override
      public Map<String, Tensor> sample(int i) {
        return Map.of(input, LabelledData.this.sample(i));
      }

      @Override
      public List<String> warnings() {
        return List.of();
      }
    };
  }
}
