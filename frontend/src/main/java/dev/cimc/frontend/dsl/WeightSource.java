package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a model's constants come from: a weight file ({@code weights "net.npz"}, entries matched by
 * layer name and shape-checked), the initializer ({@code init he_normal(seed=7)}), or both (the file
 * first, the initializer for what it lacks; without an initializer every constant must be in the file).
 * Otherwise biases and normalization constants take their fixed values ({@link WeightRole#fixedValue()}).
 */
final class WeightSource implements LayerCall.WeightSupplier {
  private final Map<String, Tensor> file;
  private final String fileName;
  private final Initializer init;
  private final Set<String> used = new HashSet<>();
  private boolean reportedMissingInit;

  WeightSource(Map<String, Tensor> file, String fileName, Initializer init) {
    this.file = file;
    this.fileName = fileName;
    this.init = init;
  }

  /** A source for a model whose weight statement already failed: zeros, without further errors. */
  static WeightSource failed() {
    var s = new WeightSource(null, null, null);
    s.reportedMissingInit = true;
    return s;
  }

  @Override
  public Tensor get(String layer, String name, WeightRole role, int[] shape, long fanIn, long fanOut) {
    TensorType type = TensorType.f32(shape);
    if (file != null) {
      Tensor t = file.get(name);
      if (t != null) {
        used.add(name);
        return checked(name, t, type);
      }
      if (init == null) {
        String near = Spelling.closest(name, file.keySet());
        throw new LayerFailure("`" + fileName + "` has no entry `" + name + "`", near != null
            ? "did you mean `" + near + "`? (layers are named with `as`)"
            : "add `init he_normal(seed=0)` to the model to initialize what the file lacks");
      }
    }
    float fixed = role.fixedValue();
    if (!Float.isNaN(fixed)) {
      float[] v = new float[(int) type.numel()];
      if (fixed != 0f) {
        Arrays.fill(v, fixed);
      }
      return Tensor.wrap(type, v);
    }
    if (init == null) {
      if (!reportedMissingInit) {
        reportedMissingInit = true;
        throw new LayerFailure("`" + layer + "` has weights, but the model declares neither `weights` nor `init`",
            "add `init he_normal(seed=0)` to the model to initialize them, or `weights \"file.npz\"` to load them");
      }
      return Tensor.zeros(type);
    }
    return Tensor.wrap(type, init.values(name, (int) type.numel(), fanIn, fanOut));
  }

  private Tensor checked(String name, Tensor t, TensorType want) {
    if (!t.shape().equals(want.shape())) {
      throw new LayerFailure("`" + name + "` in `" + fileName + "` has shape " + dims(t.shape())
          + ", but the layer needs " + dims(want.shape()), null);
    }
    if (t.elementType() == ElementType.F32) {
      return t;
    }
    if (!t.elementType().isFloat()) {
      throw new LayerFailure("`" + name + "` in `" + fileName + "` holds " + t.elementType().text()
          + " values, but weights must be floats", null);
    }
    return t.cast(ElementType.F32);
  }

  private static String dims(Shape s) {
    return Arrays.toString(s.dims());
  }

  /** Entries of the file no layer asked for (PyTorch's {@code num_batches_tracked} counters excepted). */
  List<String> unusedEntries() {
    var out = new ArrayList<String>();
    if (file != null) {
      for (String k : file.keySet()) {
        if (!used.contains(k) && !k.endsWith("num_batches_tracked")) {
          out.add(k);
        }
      }
    }
    return out;
  }
}
