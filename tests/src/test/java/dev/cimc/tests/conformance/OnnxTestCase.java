package dev.cimc.tests.conformance;

import dev.cimc.frontend.onnx.ImportOptions;
import dev.cimc.frontend.onnx.NonConstantInputException;
import dev.cimc.frontend.onnx.OnnxImporter;
import dev.cimc.frontend.onnx.OnnxUnsupportedException;
import dev.cimc.frontend.onnx.TensorProtoFiles;
import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.interp.Interpreter;
import dev.cimc.ir.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX backend test case: a folder with {@code model.onnx} and {@code test_data_set_0/input_N.pb},
 * {@code output_N.pb}. Running it imports the model, binds the inputs in order to the graph inputs that are
 * not initializers, runs the reference interpreter and compares the outputs in order.
 *
 * <p>Inputs that cimc needs as attributes (a Reshape's shape, a Pad's pads, ...) but the test passes as graph
 * inputs are fixed to their test values with {@link ImportOptions#withConstantInput} and the import is
 * repeated; such a case still checks the conversion and the kernel. A case whose model uses something cimc
 * does not support ({@link OnnxUnsupportedException}) is skipped with the exception's message as reason.
 */
final class OnnxTestCase {
  private OnnxTestCase() {}

  enum Status {
    PASSED,
    FAILED,
    SKIPPED
  }

  /** What happened to one case; {@code detail} is the failure or skip reason (one line), else empty. */
  record Outcome(String name, Status status, String detail, boolean frozenInputs) {}

  /** Comparison tolerance for float outputs: |got - want| ≤ atol + rtol·|want|. Integers and bools compare exactly. */
  record Tolerance(double rtol, double atol) {}

  static Outcome run(Path dir, Interpreter interpreter, Tolerance tol) {
    String name = dir.getFileName().toString();
    Path model = dir.resolve("model.onnx");
    Path data = dir.resolve("test_data_set_0");
    boolean frozen = false;
    try {
      List<String> inputNames = graphInputNames(model);
      ImportOptions options = ImportOptions.defaults();
      Graph graph = null;
      while (graph == null) {
        try {
          graph = OnnxImporter.importModel(model, options);
        } catch (NonConstantInputException e) {
          int k = inputNames.indexOf(e.valueName());
          if (k < 0 || options.constantInputs().containsKey(e.valueName())) {
            throw e;
          }
          options = options.withConstantInput(e.valueName(), TensorProtoFiles.read(data.resolve("input_" + k + ".pb")));
          frozen = true;
        }
      }
      var inputs = new LinkedHashMap<String, Tensor>();
      for (int k = 0; k < inputNames.size(); k++) {
        String in = inputNames.get(k);
        if (!options.constantInputs().containsKey(in)) {
          inputs.put(in, TensorProtoFiles.read(data.resolve("input_" + k + ".pb")));
        }
      }
      var expected = new ArrayList<Tensor>();
      for (int k = 0; Files.exists(data.resolve("output_" + k + ".pb")); k++) {
        expected.add(TensorProtoFiles.read(data.resolve("output_" + k + ".pb")));
      }
      Map<String, Tensor> outputs = interpreter.run(graph, inputs);
      List<Tensor> got = new ArrayList<>(outputs.values());
      if (got.size() != expected.size()) {
        return new Outcome(name, Status.FAILED, "the graph has " + got.size() + " outputs, the test expects "
            + expected.size(), frozen);
      }
      for (int k = 0; k < got.size(); k++) {
        String diff = compare(got.get(k), expected.get(k), tol);
        if (diff != null) {
          return new Outcome(name, Status.FAILED, "output " + k + ": " + diff, frozen);
        }
      }
      return new Outcome(name, Status.PASSED, "", frozen);
    } catch (OnnxUnsupportedException e) {
      return new Outcome(name, Status.SKIPPED, firstLine(e.getMessage()), frozen);
    } catch (CimcException e) {
      return new Outcome(name, Status.FAILED, firstLine(e.render()), frozen);
    } catch (RuntimeException e) {
      return new Outcome(name, Status.FAILED, "crash: " + e, frozen);
    }
  }

  /** The names of the graph inputs that are not initializers, in order: the test data binds to them. */
  private static List<String> graphInputNames(Path model) {
    Onnx.ModelProto m;
    try {
      m = Onnx.ModelProto.parseFrom(Files.readAllBytes(model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    var inits = new HashSet<String>();
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      inits.add(t.getName());
    }
    var names = new ArrayList<String>();
    for (Onnx.ValueInfoProto vi : m.getGraph().getInputList()) {
      if (!inits.contains(vi.getName())) {
        names.add(vi.getName());
      }
    }
    return names;
  }

  /** Null when {@code got} matches {@code want}, else the first difference. */
  static String compare(Tensor got, Tensor want, Tolerance tol) {
    if (!got.type().equals(want.type())) {
      return "got " + got.type() + ", expected " + want.type();
    }
    boolean isFloat = want.elementType().isFloat();
    for (int i = 0; i < want.size(); i++) {
      if (isFloat) {
        double g = got.getDouble(i);
        double w = want.getDouble(i);
        boolean ok = Double.isNaN(w) ? Double.isNaN(g) : g == w || Math.abs(g - w) <= tol.atol() + tol.rtol() * Math.abs(w);
        if (!ok) {
          return "element " + i + " is " + g + ", expected " + w + " (rtol " + tol.rtol() + ", atol " + tol.atol() + ")";
        }
      } else if (got.getLong(i) != want.getLong(i)) {
        return "element " + i + " is " + got.getLong(i) + ", expected " + want.getLong(i);
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
