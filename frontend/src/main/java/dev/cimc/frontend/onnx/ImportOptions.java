package dev.cimc.frontend.onnx;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What an ONNX import needs besides the model: shapes for inputs with dynamic dimensions, values of inputs
 * that are fixed at compile time, where warnings go, and the op registry. Immutable; the {@code with...}
 * methods return changed copies.
 *
 * <pre>{@code
 * var opts = ImportOptions.defaults()
 *     .withInputShape("x", 1, 3, 224, 224)
 *     .withWarnings(msg -> System.err.println("warning: " + msg));
 * Graph g = OnnxImporter.importModel(Path.of("model.onnx"), opts);
 * }</pre>
 */
public final class ImportOptions {
  private static final ImportOptions DEFAULTS = new ImportOptions(Map.of(), Map.of(), msg -> { }, Dialects.standard());

  private final Map<String, int[]> inputShapes;
  private final Map<String, Tensor> constantInputs;
  private final Consumer<String> warnings;
  private final OpRegistry registry;

  private ImportOptions(Map<String, int[]> inputShapes, Map<String, Tensor> constantInputs, Consumer<String> warnings,
      OpRegistry registry) {
    this.inputShapes = inputShapes;
    this.constantInputs = constantInputs;
    this.warnings = warnings;
    this.registry = registry;
  }

  /** No shape bindings, no constant inputs, warnings dropped, the standard registry. */
  public static ImportOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Binds the shape of input {@code name}: every dimension, static ones included (they must agree with the
   * model). Inputs with dynamic dimensions and no binding get 1 for each, with a warning.
   */
  public ImportOptions withInputShape(String name, int... dims) {
    Objects.requireNonNull(name, "name");
    for (int d : dims) {
      if (d < 0) {
        throw new CimcException("input shape of '" + name + "' has a negative dimension " + d + " in "
            + Arrays.toString(dims), null);
      }
    }
    var m = new TreeMap<>(inputShapes);
    m.put(name, dims.clone());
    return new ImportOptions(Collections.unmodifiableMap(m), constantInputs, warnings, registry);
  }

  /**
   * Fixes the value of input {@code name} at compile time: the input becomes a constant, like an
   * initializer, and is no longer an input of the imported graph.
   */
  public ImportOptions withConstantInput(String name, Tensor value) {
    var m = new TreeMap<>(constantInputs);
    m.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new ImportOptions(inputShapes, Collections.unmodifiableMap(m), warnings, registry);
  }

  /** Where warnings (such as defaulted dynamic dimensions) go. */
  public ImportOptions withWarnings(Consumer<String> sink) {
    return new ImportOptions(inputShapes, constantInputs, Objects.requireNonNull(sink), registry);
  }

  /** The registry the graph ops are taken from (it must contain the builtin and graph dialects). */
  public ImportOptions withRegistry(OpRegistry r) {
    return new ImportOptions(inputShapes, constantInputs, warnings, Objects.requireNonNull(r));
  }

  /** The bound input shapes, by input name (copies of the arrays). */
  public Map<String, int[]> inputShapes() {
    var m = new TreeMap<String, int[]>();
    inputShapes.forEach((k, v) -> m.put(k, v.clone()));
    return m;
  }

  int[] inputShape(String name) {
    return inputShapes.get(name);
  }

  public Map<String, Tensor> constantInputs() {
    return constantInputs;
  }

  public Consumer<String> warnings() {
    return warnings;
  }

  public OpRegistry registry() {
    return registry;
  }

  /** One {@code name=dims} binding of an input shape, as given on a command line. */
  public record InputShape(String name, int[] dims) {
    public InputShape {
      dims = dims.clone();
    }

    @Override
    public int[] dims() {
      return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof InputShape s && name.equals(s.name) && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
      return 31 * name.hashCode() + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
      var sb = new StringBuilder(name).append('=');
      for (int i = 0; i < dims.length; i++) {
        sb.append(i == 0 ? "" : "x").append(dims[i]);
      }
      return sb.toString();
    }
  }

  /**
   * Parses {@code name=1x3x224x224} (dimensions separated by {@code x} or {@code ,}; nothing after
   * {@code =} for a rank-0 input). The name is everything before the last {@code =}, so ONNX names with
   * {@code :} or {@code /} work as they are.
   */
  public static InputShape parseInputShape(String spec) {
    int eq = spec.lastIndexOf('=');
    String hint = "write the shape as name=1x3x224x224";
    if (eq <= 0) {
      throw new CimcException("invalid input shape '" + spec + "': expected name=dims", hint);
    }
    String name = spec.substring(0, eq);
    String dimsText = spec.substring(eq + 1).trim();
    if (dimsText.isEmpty()) {
      return new InputShape(name, new int[0]);
    }
    String[] parts = dimsText.split("[x,]", -1);
    int[] dims = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        long v = Long.parseLong(parts[i].trim());
        if (v < 0 || v > Integer.MAX_VALUE) {
          throw new NumberFormatException();
        }
        dims[i] = (int) v;
      } catch (NumberFormatException e) {
        throw new CimcException("invalid input shape '" + spec + "': '" + parts[i]
            + "' is not a dimension (a non-negative integer)", hint);
      }
    }
    return new InputShape(name, dims);
  }
}
