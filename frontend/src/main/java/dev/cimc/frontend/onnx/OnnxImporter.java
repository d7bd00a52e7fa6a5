package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.Shape;
import dev.cimc.ir.type.TensorType;
import dev.cimc.ir.verify.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Imports an ONNX model (IR versions 3 to 13, default-domain opsets 6 to 27) into a graph IR {@link Graph}.
 *
 * <p>What it does, in order: checks the IR version, the opsets and that the model has no local functions;
 * gives every graph input a static type (bound dimensions from {@link ImportOptions}, else 1 with a warning);
 * sorts the nodes topologically (rejecting cycles and reads of undefined values); rejects, in one error, every
 * op type cimc does not import; converts node by node through {@link OnnxOpTable}, folding constant
 * computations as it goes (see {@link GraphImport}); sets the outputs under their ONNX names; erases nodes
 * nothing reads (unused initializers never become nodes); cross-checks the model's declared value types.
 *
 * <p>Declared types ({@code value_info} and graph outputs) are only checked, never trusted: cimc infers every
 * result type from the op definitions. An element type that differs from the declaration is an error (the
 * import computed something else than the model means); a static dimension that differs is a warning.
 *
 * <p>Value names are the ONNX names; node locations are {@code Location.Named(model file, node name)},
 * with {@code <op_type #index>} for unnamed nodes. Every problem is reported as a {@link CimcException} (an
 * {@link OnnxUnsupportedException} for valid models that use what cimc lacks).
 */
public final class OnnxImporter {
  /** Oldest and newest ONNX IR versions read. */
  public static final int MIN_IR_VERSION = 3;
  public static final int MAX_IR_VERSION = 13;
  /**
   * Oldest and newest default-domain opsets read. Opset 6 is the first without the legacy
   * {@code consumed_inputs} attributes; its differences from 7 (explicit broadcasting of arithmetic,
   * per-channel PRelu slopes, is_test) are handled by the converters. Opsets 22 to 27 change the ops cimc
   * imports only by adding element types (and add new ops), so they import with the semantics of opset 21.
   */
  public static final int MIN_OPSET = 6;
  public static final int MAX_OPSET = 27;

  private OnnxImporter() {}

  /** Imports a model file; external data is read from the file's folder. */
  public static Graph importModel(Path model, ImportOptions options) {
    String file = model.toString();
    Onnx.ModelProto proto = OnnxProtobuf.parseModel(OnnxProtobuf.mapFile(model, "model"), Location.file(file));
    Path folder = model.toAbsolutePath().getParent();
    return importModel(proto, file, folder, options);
  }

  /** Imports a serialized model held in memory ({@code fileName} is used in messages; no external data). */
  public static Graph importModel(byte[] model, String fileName, ImportOptions options) {
    return importModel(OnnxProtobuf.parseModel(model, Location.file(fileName)), fileName, null, options);
  }

  /**
   * Imports a parsed model.
   *
   * @param fileName the model's name in locations and messages
   * @param folder where external data lives, or null if the model may not have any
   */
  public static Graph importModel(Onnx.ModelProto model, String fileName, Path folder, ImportOptions options) {
    return new Run(model, fileName, folder, options).run();
  }

  /**
   * The graph inputs a model declares, in order, without importing it: the inputs that are not initializers,
   * with their declared dimensions ({@link Shape#DYNAMIC} for a symbolic or unknown one; no dimensions when
   * the model gives no shape). Lets a caller bind input files to inputs, and their shapes, before importing.
   */
  public static List<ImportOptions.InputShape> declaredInputs(Path model) {
    Onnx.ModelProto m = OnnxProtobuf.parseModel(OnnxProtobuf.mapFile(model, "model"), Location.file(model.toString()));
    var initializers = new HashSet<String>();
    for (Onnx.TensorProto t : m.getGraph().getInitializerList()) {
      initializers.add(t.getName());
    }
    var out = new ArrayList<ImportOptions.InputShape>();
    for (Onnx.ValueInfoProto in : m.getGraph().getInputList()) {
      if (initializers.contains(in.getName())) {
        continue;
      }
      var dims = in.getType().getTensorType().getShape().getDimList();
      int[] d = new int[dims.size()];
      for (int i = 0; i < d.length; i++) {
        long v = dims.get(i).hasDimValue() ? dims.get(i).getDimValue() : -1;
        d[i] = v < 0 || v > Integer.MAX_VALUE ? Shape.DYNAMIC : (int) v;
      }
      out.add(new ImportOptions.InputShape(in.getName(), d));
    }
    return out;
  }

  /** The op types (default ONNX domain) the importer converts, sorted. */
  public static List<String> supportedOps() {
    return OnnxOpTable.opTypes();
  }

  /** One import. */
  private static final class Run {
    private final Onnx.ModelProto model;
    private final String file;
    private final Location fileLoc;
    private final ImportOptions options;
    private final GraphImport g;
    private int opset;

    Run(Onnx.ModelProto model, String file, Path folder, ImportOptions options) {
      this.model = model;
      this.file = file;
      this.fileLoc = Location.file(file);
      this.options = options;
      String name = model.getGraph().getName().isEmpty() ? "main" : model.getGraph().getName();
      this.g = new GraphImport(new Graph(name), options.registry(), file, options.warnings(),
          new ExternalData(folder, file));
    }

    Graph run() {
      checkVersions();
      checkFunctions();
      if (!model.hasGraph()) {
        throw new CimcException(fileLoc, "the model has no graph", null);
      }
      Onnx.GraphProto gp = model.getGraph();
      if (gp.getSparseInitializerCount() > 0) {
        throw new OnnxUnsupportedException(fileLoc, "the model has sparse initializers ("
            + gp.getSparseInitializer(0).getValues().getName() + "...), which cimc does not support",
            "store the initializers densely");
      }
      bindInputsAndInitializers(gp);
      List<OnnxNode> nodes = sortedNodes(gp);
      checkSupported(nodes);
      for (OnnxNode n : nodes) {
        convert(n);
      }
      setOutputs(gp);
      eraseDeadNodes();
      crossCheckDeclaredTypes(gp);
      g.at(Location.UNKNOWN);
      Verifier.check(g.graph());
      return g.graph();
    }

    // ---- versions ----

    private void checkVersions() {
      long ir = model.getIrVersion();
      if (!model.hasIrVersion()) {
        throw new CimcException(fileLoc, "the model has no ir_version", "is this an ONNX model? (a ModelProto "
            + "always records the ONNX IR version it was written with)");
      }
      if (ir < MIN_IR_VERSION || ir > MAX_IR_VERSION) {
        throw new OnnxUnsupportedException(fileLoc, "ONNX IR version " + ir
            + " is not supported (cimc reads IR versions " + MIN_IR_VERSION + " to " + MAX_IR_VERSION + ")",
            ir > MAX_IR_VERSION ? "save the model with an older onnx package, or update cimc"
                : "re-export the model with a current exporter");
      }
      Long dflt = null;
      for (Onnx.OperatorSetIdProto o : model.getOpsetImportList()) {
        String d = o.getDomain();
        if (d.isEmpty() || d.equals("ai.onnx")) {
          if (dflt != null && dflt != o.getVersion()) {
            throw new CimcException(fileLoc, "the model imports the default ONNX domain twice (opsets " + dflt
                + " and " + o.getVersion() + ")", null);
          }
          dflt = o.getVersion();
        }
      }
      if (dflt == null) {
        opset = 0;
        return;
      }
      if (dflt < MIN_OPSET || dflt > MAX_OPSET) {
        throw new OnnxUnsupportedException(fileLoc, "ONNX opset " + dflt + " is not supported (cimc reads opsets " + MIN_OPSET
            + " to " + MAX_OPSET + ")", "convert the model with onnx.version_converter.convert_version(model, "
            + (dflt < MIN_OPSET ? MIN_OPSET : MAX_OPSET) + ")");
      }
      opset = dflt.intValue();
    }

    private void checkFunctions() {
      if (model.getFunctionsCount() == 0) {
        return;
      }
      var names = new ArrayList<String>();
      for (Onnx.FunctionProto f : model.getFunctionsList()) {
        names.add((f.getDomain().isEmpty() ? "" : f.getDomain() + ".") + f.getName());
      }
      throw new OnnxUnsupportedException(fileLoc, "the model defines local functions (" + String.join(", ", names)
          + "), which cimc does not support", "inline them first: onnx.inliner.inline_local_functions(model)");
    }

    // ---- inputs ----

    private void bindInputsAndInitializers(Onnx.GraphProto gp) {
      var initializers = new LinkedHashMap<String, Onnx.TensorProto>();
      for (Onnx.TensorProto t : gp.getInitializerList()) {
        if (t.getName().isEmpty()) {
          throw new CimcException(fileLoc, "the model has an initializer without a name", null);
        }
        if (initializers.put(t.getName(), t) != null) {
          throw new CimcException(fileLoc, "the model has two initializers named '" + t.getName() + "'", null);
        }
      }
      var inputNames = new HashSet<String>();
      for (Onnx.ValueInfoProto in : gp.getInputList()) {
        String name = in.getName();
        if (name.isEmpty()) {
          throw new CimcException(fileLoc, "the model has a graph input without a name", null);
        }
        if (!inputNames.add(name)) {
          throw new CimcException(fileLoc, "the model has two graph inputs named '" + name + "'", null);
        }
        if (initializers.containsKey(name)) {
          continue; // an old exporter's way of listing weights: the initializer is the value
        }
        Tensor fixed = options.constantInputs().get(name);
        if (fixed != null) {
          checkConstantInput(in, fixed);
          g.bindValue(name, g.constant(fixed, name));
        } else {
          g.bindValue(name, g.graph().addInput(name, inputType(in)));
        }
      }
      for (String bound : options.inputShapes().keySet()) {
        if (!inputNames.contains(bound) || initializers.containsKey(bound)) {
          throw new CimcException(fileLoc, "an input shape is given for '" + bound + "', which is not an input of the "
              + "model", "the model's inputs are: " + inputList());
        }
      }
      for (String bound : options.constantInputs().keySet()) {
        if (!inputNames.contains(bound) || initializers.containsKey(bound)) {
          throw new CimcException(fileLoc, "a constant value is given for '" + bound + "', which is not an input of "
              + "the model", "the model's inputs are: " + inputList());
        }
      }
      for (var e : initializers.entrySet()) {
        g.bindInitializer(e.getKey(), e.getValue());
      }
    }

    private String inputList() {
      var sb = new StringBuilder();
      for (Value v : g.graph().inputs()) {
        sb.append(sb.length() == 0 ? "" : ", ").append(v.name()).append(": ").append(v.type());
      }
      return sb.length() == 0 ? "(none)" : sb.toString();
    }

    /** The static type of a graph input: declared dims, bound dims, or 1 for an unbound dynamic dimension. */
    private TensorType inputType(Onnx.ValueInfoProto in) {
      String name = in.getName();
      Onnx.TypeProto tp = in.getType();
      if (!tp.hasTensorType()) {
        throw new OnnxUnsupportedException(fileLoc, "graph input '" + name + "' is " + typeKind(tp)
            + ", which cimc does not support", "cimc imports models whose inputs are tensors");
      }
      ElementType et = elementType(tp.getTensorType().getElemType(), "graph input '" + name + "'");
      int[] bound = options.inputShape(name);
      if (!tp.getTensorType().hasShape()) {
        if (bound == null) {
          throw new CimcException(fileLoc, "graph input '" + name + "' has no shape in the model",
              "give it with --input-shape " + name + "=<dims>");
        }
        return checkedInputType(name, et, bound);
      }
      List<Onnx.TensorShapeProto.Dimension> dims = tp.getTensorType().getShape().getDimList();
      if (bound != null && bound.length != dims.size()) {
        throw new CimcException(fileLoc, "the shape given for input '" + name + "' has rank " + bound.length
            + ", but the model declares rank " + dims.size(), null);
      }
      int[] out = new int[dims.size()];
      for (int i = 0; i < out.length; i++) {
        Onnx.TensorShapeProto.Dimension d = dims.get(i);
        boolean isStatic = d.hasDimValue() && d.getDimValue() >= 0;
        if (d.hasDimValue() && d.getDimValue() < 0) {
          throw new CimcException(fileLoc, "graph input '" + name + "' has a negative dimension " + d.getDimValue(),
              null);
        }
        if (bound != null) {
          if (isStatic && d.getDimValue() != bound[i]) {
            throw new CimcException(fileLoc, "the shape given for input '" + name + "' has " + bound[i]
                + " in dimension " + i + ", but the model fixes it to " + d.getDimValue(), null);
          }
          out[i] = bound[i];
        } else if (isStatic) {
          if (d.getDimValue() > Integer.MAX_VALUE) {
            throw new CimcException(fileLoc, "graph input '" + name + "' has an absurd dimension " + d.getDimValue(),
                null);
          }
          out[i] = (int) d.getDimValue();
        } else {
          out[i] = 1;
          g.warn("dynamic dimension " + (d.hasDimParam() && !d.getDimParam().isEmpty() ? "'" + d.getDimParam() + "'"
              : Integer.toString(i)) + " of input '" + name + "' defaulted to 1");
        }
      }
      return checkedInputType(name, et, out);
    }

    private TensorType checkedInputType(String name, ElementType et, int[] dims) {
      TensorType t = new TensorType(et, Shape.of(dims), null);
      if (GraphImport.numel(t.shape()) > TensorProtoDecoder.MAX_ELEMENTS) {
        throw new CimcException(fileLoc, "graph input '" + name + "' of type " + t + " has more than "
            + TensorProtoDecoder.MAX_ELEMENTS + " elements, the most cimc holds in one tensor", null);
      }
      return t;
    }

    /** A fixed input value must have the declared element type, rank and static dimensions. */
    private void checkConstantInput(Onnx.ValueInfoProto in, Tensor value) {
      TensorType t = value.type();
      Onnx.TypeProto.Tensor tt = in.getType().getTensorType();
      boolean ok = in.getType().hasTensorType()
          && elementType(tt.getElemType(), "graph input '" + in.getName() + "'") == t.elementType();
      if (ok && tt.hasShape()) {
        var dims = tt.getShape().getDimList();
        ok = dims.size() == t.rank();
        for (int i = 0; ok && i < dims.size(); i++) {
          ok = !dims.get(i).hasDimValue() || dims.get(i).getDimValue() == t.dim(i);
        }
      }
      if (!ok) {
        throw new CimcException(fileLoc, "the constant value given for input '" + in.getName() + "' has type " + t
            + ", which the model's declaration of the input does not allow", null);
      }
    }

    private ElementType elementType(int code, String what) {
      OnnxDataType dt = OnnxDataType.ofCode(code);
      if (dt == null || dt == OnnxDataType.UNDEFINED) {
        throw new CimcException(fileLoc, what + " has an invalid element type " + code, null);
      }
      if (dt.elementType() == null) {
        throw new OnnxUnsupportedException(fileLoc, what + " has element type " + dt.onnxName()
            + ", which cimc does not support", null);
      }
      return dt.elementType();
    }

    private static String typeKind(Onnx.TypeProto tp) {
      if (tp.hasSequenceType()) {
        return "a sequence";
      } else if (tp.hasMapType()) {
        return "a map";
      } else if (tp.hasOptionalType()) {
        return "an optional";
      } else if (tp.hasSparseTensorType()) {
        return "a sparse tensor";
      }
      return "of no tensor type";
    }

    // ---- nodes ----

    /**
     * The nodes in a topological order that keeps the model's order where it already is one. Rejects a value
     * defined twice, a read of a value nothing defines, and cycles, naming the node and the value.
     */
    private List<OnnxNode> sortedNodes(Onnx.GraphProto gp) {
      int count = gp.getNodeCount();
      var nodes = new ArrayList<OnnxNode>(count);
      for (int i = 0; i < count; i++) {
        nodes.add(new OnnxNode(gp.getNode(i), i, opset, file));
      }
      var producer = new HashMap<String, Integer>();
      for (OnnxNode n : nodes) {
        for (int k = 0; k < n.numOutputs(); k++) {
          if (!n.hasOutput(k)) {
            continue;
          }
          String v = n.output(k);
          if (g.isBound(v) || producer.putIfAbsent(v, n.index()) != null) {
            throw new CimcException(n.location(), n.describe() + " defines '" + v + "', which "
                + (g.isBound(v) ? "is already a graph input or initializer" : "another node already defines"),
                "every value in an ONNX graph must be defined once");
          }
        }
      }
      int[] pending = new int[count];
      var readers = new HashMap<Integer, List<Integer>>();
      for (OnnxNode n : nodes) {
        var seen = new HashSet<Integer>();
        for (int k = 0; k < n.numInputs(); k++) {
          if (!n.hasInput(k)) {
            continue;
          }
          String v = n.input(k);
          Integer p = producer.get(v);
          if (p == null) {
            if (!g.isBound(v)) {
              throw new CimcException(n.location(), n.describe() + " reads '" + v + "', which no node, graph input "
                  + "or initializer defines", null);
            }
          } else if (seen.add(p)) {
            pending[n.index()]++;
            readers.computeIfAbsent(p, x -> new ArrayList<>()).add(n.index());
          }
        }
      }
      var ready = new PriorityQueue<Integer>();
      for (int i = 0; i < count; i++) {
        if (pending[i] == 0) {
          ready.add(i);
        }
      }
      var order = new ArrayList<OnnxNode>(count);
      while (!ready.isEmpty()) {
        int i = ready.poll();
        order.add(nodes.get(i));
        for (int r : readers.getOrDefault(i, List.of())) {
          if (--pending[r] == 0) {
            ready.add(r);
          }
        }
      }
      if (order.size() < count) {
        for (OnnxNode n : nodes) {
          if (pending[n.index()] > 0) {
            for (int k = 0; k < n.numInputs(); k++) {
              Integer p = n.hasInput(k) ? producer.get(n.input(k)) : null;
              if (p != null && pending[p] > 0) {
                throw new CimcException(n.location(), n.describe() + " is on a cycle: it reads '" + n.input(k)
                    + "', which depends on its own output", "an ONNX graph must be acyclic");
              }
            }
          }
        }
        throw new IllegalStateException("topological sort stalled without a cycle");
      }
      return order;
    }

    /** Rejects, in one error, every op type cimc does not import, with its count and first node. */
    private void checkSupported(List<OnnxNode> nodes) {
      var counts = new TreeMap<String, Integer>();
      var first = new HashMap<String, String>();
      var why = new TreeMap<String, String>();
      boolean subgraphs = false;
      for (OnnxNode n : nodes) {
        String domain = n.proto().getDomain();
        boolean dflt = domain.isEmpty() || domain.equals("ai.onnx");
        String key = dflt ? n.opType() : domain + "." + n.opType();
        OnnxOp op = dflt ? OnnxOpTable.lookup(n.opType()) : null;
        if (dflt && opset == 0) {
          throw new CimcException(n.location(), n.describe() + " is an op of the default ONNX domain, but the model "
              + "imports no version of it", "add an opset_import for domain \"\"");
        }
        if (op != null && opset < op.since()) {
          why.put(key, "needs opset " + op.since());
          op = null;
        }
        if (op == null) {
          counts.merge(key, 1, Integer::sum);
          first.putIfAbsent(key, n.name());
          for (Onnx.AttributeProto a : n.proto().getAttributeList()) {
            var t = OnnxNode.typeOf(a);
            subgraphs |= t == Onnx.AttributeProto.AttributeType.GRAPH || t == Onnx.AttributeProto.AttributeType.GRAPHS;
          }
        }
      }
      if (counts.isEmpty()) {
        return;
      }
      var sb = new StringBuilder("unsupported ONNX op" + (counts.size() == 1 ? "" : "s") + ": ");
      int i = 0;
      for (var e : counts.entrySet()) {
        int c = e.getValue();
        sb.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(" (").append(c).append(c == 1 ? " node" : " nodes")
            .append(c == 1 ? " '" : ", first '").append(first.get(e.getKey())).append("'");
        if (why.containsKey(e.getKey())) {
          sb.append("; ").append(why.get(e.getKey())).append(", the model imports opset ").append(opset);
        }
        sb.append(")");
      }
      String hint = subgraphs ? "control flow with subgraphs (If, Loop, Scan) cannot be imported; cimc imports "
          + "straight-line graphs of these ops: " : "cimc imports these ONNX ops: ";
      throw new OnnxUnsupportedException(fileLoc, sb.toString(), hint + String.join(", ", OnnxOpTable.opTypes()));
    }

    private void convert(OnnxNode n) {
      g.at(n.location());
      OnnxOp op = OnnxOpTable.lookup(n.opType());
      for (String a : n.attributes().keySet()) {
        if (!op.attributes().contains(a)) {
          throw new OnnxUnsupportedException(n.location(), n.describe() + " has the attribute '" + a
              + "', which cimc does not know for " + n.opType(), null);
        }
      }
      if (n.hasInput(0)) {
        ElementType et = g.typeOf(n.input(0)).elementType();
        if (!op.types().accepts(et)) {
          throw new OnnxUnsupportedException(n.location(), n.describe() + " has an input of element type " + et
              + "; cimc implements " + n.opType() + " for " + op.types().text(), null);
        }
      }
      List<Value> results = op.converter().convert(n, g);
      for (int k = 0; k < n.numOutputs(); k++) {
        if (!n.hasOutput(k)) {
          continue;
        }
        Value v = k < results.size() ? results.get(k) : null;
        if (v == null) {
          throw new OnnxUnsupportedException(n.location(), n.describe() + " asks for output " + k + " ('"
              + n.output(k) + "'), which cimc does not produce for " + n.opType(), null);
        }
        g.bindValue(n.output(k), v);
      }
    }

    // ---- outputs and clean-up ----

    private void setOutputs(Onnx.GraphProto gp) {
      g.at(Location.UNKNOWN);
      var outs = new ArrayList<Value>();
      var used = new IdentityHashMap<Value, Boolean>();
      for (Onnx.ValueInfoProto o : gp.getOutputList()) {
        String name = o.getName();
        if (!g.isBound(name)) {
          throw new CimcException(fileLoc, "graph output '" + name + "' is not produced by any node, input or "
              + "initializer", null);
        }
        Value v = g.valueOf(name);
        if (!v.name().equals(name)) {
          if (v.isGraphInput() || used.containsKey(v) || g.graph().value(name) != null) {
            // The output must stay distinguishable under its own name: give it an identity node.
            Node id = g.graph().append(g.registry().get("graph.identity"), List.of(v), Attributes.EMPTY,
                List.of(v.type()), Arrays.asList(name), v.producer() != null ? v.producer().location() : fileLoc);
            v = id.result();
          } else {
            v.rename(name);
          }
        }
        used.put(v, Boolean.TRUE);
        outs.add(v);
      }
      g.graph().setOutputs(outs);
    }

    /** Erases the pure nodes nothing reads, last to first (a node's readers come after it). */
    private void eraseDeadNodes() {
      Graph graph = g.graph();
      for (Node n = graph.last(); n != null; ) {
        Node prev = n.prev();
        if (n.op().has(Trait.PURE) && n.isDead()) {
          graph.erase(n);
        }
        n = prev;
      }
    }

    /** Compares the model's declared value types with the inferred ones (see the class comment). */
    private void crossCheckDeclaredTypes(Onnx.GraphProto gp) {
      var declared = new ArrayList<Onnx.ValueInfoProto>(gp.getValueInfoList());
      declared.addAll(gp.getOutputList());
      Set<String> done = new HashSet<>();
      for (Onnx.ValueInfoProto vi : declared) {
        String name = vi.getName();
        if (!done.add(name) || !g.isBound(name) || !vi.getType().hasTensorType()) {
          continue;
        }
        Onnx.TypeProto.Tensor tt = vi.getType().getTensorType();
        TensorType actual = g.typeOf(name);
        OnnxDataType dt = OnnxDataType.ofCode(tt.getElemType());
        if (dt != null && dt.elementType() != null && dt.elementType() != actual.elementType()) {
          throw new CimcException(fileLoc, "value '" + name + "' is declared with element type " + dt.onnxName()
              + " in the model, but cimc computes " + actual, "the model's value_info disagrees with its ops");
        }
        if (!tt.hasShape()) {
          continue;
        }
        var dims = tt.getShape().getDimList();
        boolean mismatch = dims.size() != actual.rank();
        for (int i = 0; !mismatch && i < dims.size(); i++) {
          var d = dims.get(i);
          mismatch = d.hasDimValue() && d.getDimValue() != actual.dim(i);
        }
        if (mismatch) {
          g.warn("value '" + name + "' is declared with shape " + declaredShape(dims) + " in the model, but cimc "
              + "infers " + actual);
        }
      }
    }

    private static String declaredShape(List<Onnx.TensorShapeProto.Dimension> dims) {
      var sb = new StringBuilder("[");
      for (int i = 0; i < dims.size(); i++) {
        var d = dims.get(i);
        sb.append(i == 0 ? "" : ", ").append(d.hasDimValue() ? Long.toString(d.getDimValue())
            : d.hasDimParam() ? d.getDimParam() : "?");
      }
      return sb.append(']').toString();
    }
  }
}
