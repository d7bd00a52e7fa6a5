package dev.cimc.ir.graph;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.op.InferenceException;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds graphs in a few lines, inferring result types through the op definitions:
 *
 * <pre>{@code
 * var b = new GraphBuilder("mlp", Dialects.standard());
 * Value x = b.input("x", TensorType.f32(1, 4));
 * Value w = b.constant("w", Tensor.ofFloats(new int[] {4, 2}, ...));
 * b.output(b.op("graph.relu", b.op("graph.matmul", x, w)));
 * Graph g = b.build();
 * }</pre>
 *
 * Errors in what is built (unknown op, wrong arity, bad attributes, failing inference) throw a
 * {@link CimcException} at the builder's current location ({@link #at}), so frontends can report the
 * source node.
 */
public final class GraphBuilder {
  private final Graph graph;
  private final OpRegistry registry;
  private final Node anchor;
  private Location location = Location.UNKNOWN;

  public GraphBuilder(String name, OpRegistry registry) {
    this(new Graph(name), registry, null);
  }

  private GraphBuilder(Graph graph, OpRegistry registry, Node anchor) {
    this.graph = graph;
    this.registry = registry;
    this.anchor = anchor;
  }

  /** A builder that appends to an existing graph. */
  public static GraphBuilder appendingTo(Graph g, OpRegistry registry) {
    return new GraphBuilder(g, registry, null);
  }

  /** A builder that inserts new nodes right before {@code anchor} (for rewrites). */
  public static GraphBuilder before(Node anchor, OpRegistry registry) {
    return new GraphBuilder(anchor.graph(), registry, anchor).at(anchor.location());
  }

  public Graph graph() {
    return graph;
  }

  public OpRegistry registry() {
    return registry;
  }

  /** Sets the location given to the nodes built next (and to errors about them). */
  public GraphBuilder at(Location loc) {
    this.location = loc == null ? Location.UNKNOWN : loc;
    return this;
  }

  public Value input(String name, TensorType type) {
    return graph.addInput(name, type);
  }

  public GraphBuilder output(Value... vs) {
    for (Value v : vs) {
      graph.addOutput(v);
    }
    return this;
  }

  /** A constant; {@code name} is a hint for the value (and blob) name, may be null. */
  public Value constant(String name, Tensor t) {
    return node(registry.get("const"), List.of(), Attributes.of("value", new Attribute.TensorAttr(t)),
        null, name == null ? null : Arrays.asList(name)).result();
  }

  public Value constant(Tensor t) {
    return constant(null, t);
  }

  /** A single-result op with no attributes. */
  public Value op(String opName, Value... operands) {
    return op(opName, Attributes.EMPTY, operands);
  }

  /** A single-result op. */
  public Value op(String opName, Attributes attrs, Value... operands) {
    return node(lookup(opName), List.of(operands), attrs, null, null).result();
  }

  /** A single-result op whose result gets the name hint {@code resultName}. */
  public Value named(String resultName, String opName, Attributes attrs, Value... operands) {
    return node(lookup(opName), List.of(operands), attrs, null, Arrays.asList(resultName)).result();
  }

  /** An op with several results (for variadic results, {@code numResults} says how many). */
  public List<Value> ops(String opName, Attributes attrs, int numResults, Value... operands) {
    var names = new ArrayList<String>();
    for (int i = 0; i < numResults; i++) {
      names.add(null);
    }
    return node(lookup(opName), List.of(operands), attrs, null, names).results();
  }

  /**
   * The general form: builds a node, checks its signature and infers its result types. {@code declared}
   * gives explicit result types (needed by ops such as {@code q.quantize}), or null. {@code names} gives
   * result name hints (null entries for fresh numbers), or null.
   */
  public Node node(OpDef op, List<Value> operands, Attributes attrs, List<TensorType> declared, List<String> names) {
    attrs = attrs == null ? Attributes.EMPTY : attrs;
    List<String> errors = op.signatureErrors(operands.size(), attrs);
    if (!errors.isEmpty()) {
      throw new CimcException(location, op.fullName() + ": " + String.join("; ", errors), null);
    }
    var operandTypes = new ArrayList<TensorType>(operands.size());
    for (Value v : operands) {
      operandTypes.add(v.type());
    }
    List<TensorType> types;
    try {
      types = op.inferTypes(operandTypes, attrs, declared != null ? declared : variadicHint(op, names));
    } catch (InferenceException e) {
      throw new CimcException(location, op.fullName() + ": " + e.getMessage(), null);
    }
    if (declared != null && !declared.equals(types)) {
      throw new CimcException(location, op.fullName() + ": declared result types " + declared
          + " differ from inferred " + types, null);
    }
    if (names != null && names.size() != types.size()) {
      throw new CimcException(location, op.fullName() + " produces " + types.size() + " result"
          + (types.size() == 1 ? "" : "s") + ", " + names.size() + (names.size() == 1 ? " was" : " were")
          + " requested", null);
    }
    if (anchor != null) {
      return graph.insertBefore(anchor, op, operands, attrs, types, names, location);
    }
    return graph.append(op, operands, attrs, types, names, location);
  }

  /** For variadic-result ops without declared types, inference only needs the count. */
  private static List<TensorType> variadicHint(OpDef op, List<String> names) {
    if (op.numResults() != OpDef.VARIADIC || names == null) {
      return null;
    }
    var l = new ArrayList<TensorType>(names.size());
    for (int i = 0; i < names.size(); i++) {
      l.add(null);
    }
    return java.util.Collections.unmodifiableList(l);
  }

  private OpDef lookup(String opName) {
    return registry.lookup(opName).orElseThrow(
        () -> new CimcException(location, "unknown op '" + opName + "'", null));
  }

  /** Finishes building; the graph is returned as is (run the verifier to check it). */
  public Graph build() {
    return graph;
  }
}
