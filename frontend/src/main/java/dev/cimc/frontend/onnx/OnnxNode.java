package dev.cimc.frontend.onnx;

import dev.cimc.frontend.onnx.proto.Onnx;
import dev.cimc.frontend.onnx.proto.Onnx.AttributeProto.AttributeType;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX node as a converter sees it: inputs and outputs by position (an empty name is an omitted
 * optional one), attributes by name with the ONNX defaults supplied by the caller, the default-domain
 * opset in force, and the location errors about it carry.
 */
final class OnnxNode {
  private final Onnx.NodeProto proto;
  private final int index;
  private final int opset;
  private final Location location;
  private final Map<String, Onnx.AttributeProto> attributes;

  OnnxNode(Onnx.NodeProto proto, int index, int opset, String file) {
    this.proto = proto;
    this.index = index;
    this.opset = opset;
    this.location = new Location.Named(file, displayName(proto, index));
    var m = new LinkedHashMap<String, Onnx.AttributeProto>();
    for (Onnx.AttributeProto a : proto.getAttributeList()) {
      if (m.put(a.getName(), a) != null) {
        throw new CimcException(location, "attribute '" + a.getName() + "' of " + proto.getOpType()
            + " is given twice", null);
      }
    }
    this.attributes = Collections.unmodifiableMap(m);
  }

  /** The node's name, or {@code <op_type #index>} for an unnamed node. */
  static String displayName(Onnx.NodeProto p, int index) {
    return p.getName().isEmpty() ? "<" + p.getOpType() + " #" + index + ">" : p.getName();
  }

  Onnx.NodeProto proto() {
    return proto;
  }

  String opType() {
    return proto.getOpType();
  }

  /** The node's name as shown in messages. */
  String name() {
    return displayName(proto, index);
  }

  int index() {
    return index;
  }

  /** The version of the default ONNX domain the model imports. */
  int opset() {
    return opset;
  }

  Location location() {
    return location;
  }

  /** "Conv node 'conv1'", for messages. */
  String describe() {
    return opType() + " node '" + name() + "'";
  }

  // ---- inputs and outputs ----

  int numInputs() {
    return proto.getInputCount();
  }

  /** True if input {@code i} is given (present and not an empty name). */
  boolean hasInput(int i) {
    return i < proto.getInputCount() && !proto.getInput(i).isEmpty();
  }

  String input(int i) {
    return proto.getInput(i);
  }

  int numOutputs() {
    return proto.getOutputCount();
  }

  /** True if output {@code i} is requested (present and not an empty name). */
  boolean hasOutput(int i) {
    return i < proto.getOutputCount() && !proto.getOutput(i).isEmpty();
  }

  String output(int i) {
    return proto.getOutput(i);
  }

  /** The name hint for output {@code i}: its ONNX name, or null when omitted. */
  String outputHint(int i) {
    return hasOutput(i) ? proto.getOutput(i) : null;
  }

  // ---- attributes ----

  Map<String, Onnx.AttributeProto> attributes() {
    return attributes;
  }

  boolean has(String name) {
    return attributes.containsKey(name);
  }

  long getInt(String name, long dflt) {
    Onnx.AttributeProto a = typed(name, AttributeType.INT);
    return a == null ? dflt : a.getI();
  }

  /** A required int attribute. */
  long requireInt(String name) {
    Onnx.AttributeProto a = typed(name, AttributeType.INT);
    if (a == null) {
      throw missing(name, "an int");
    }
    return a.getI();
  }

  double getFloat(String name, double dflt) {
    Onnx.AttributeProto a = typed(name, AttributeType.FLOAT);
    return a == null ? dflt : a.getF();
  }

  String getString(String name, String dflt) {
    Onnx.AttributeProto a = typed(name, AttributeType.STRING);
    return a == null ? dflt : a.getS().toString(StandardCharsets.UTF_8);
  }

  /** An ints attribute, or null when absent. */
  long[] getInts(String name) {
    Onnx.AttributeProto a = typed(name, AttributeType.INTS);
    if (a == null) {
      return null;
    }
    long[] v = new long[a.getIntsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getInts(i);
    }
    return v;
  }

  long[] requireInts(String name) {
    long[] v = getInts(name);
    if (v == null) {
      throw missing(name, "a list of ints");
    }
    return v;
  }

  /** A floats attribute, or null when absent. */
  double[] getFloats(String name) {
    Onnx.AttributeProto a = typed(name, AttributeType.FLOATS);
    if (a == null) {
      return null;
    }
    double[] v = new double[a.getFloatsCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = a.getFloats(i);
    }
    return v;
  }

  /** A tensor attribute, or null when absent. */
  Onnx.TensorProto getTensor(String name) {
    Onnx.AttributeProto a = typed(name, AttributeType.TENSOR);
    return a == null ? null : a.getT();
  }

  List<com.google.protobuf.ByteString> getStrings(String name) {
    Onnx.AttributeProto a = typed(name, AttributeType.STRINGS);
    return a == null ? null : a.getStringsList();
  }

  /** The attribute, checked to be of {@code want} (an untyped attribute from an old writer is accepted). */
  private Onnx.AttributeProto typed(String name, AttributeType want) {
    Onnx.AttributeProto a = attributes.get(name);
    if (a == null) {
      return null;
    }
    if (!a.getRefAttrName().isEmpty()) {
      throw new CimcException(location, "attribute '" + name + "' of " + describe() + " refers to a function "
          + "attribute, which is only valid inside a function body", null);
    }
    AttributeType got = a.hasType() ? a.getType() : inferType(a);
    boolean emptyList = got == AttributeType.UNDEFINED
        && (want == AttributeType.INTS || want == AttributeType.FLOATS || want == AttributeType.STRINGS);
    if (got != want && !emptyList) {
      throw new CimcException(location, "attribute '" + name + "' of " + describe() + " must be "
          + kindText(want) + ", got " + kindText(got), null);
    }
    return a;
  }

  /** The type of an attribute written without one (IR version 1 style), from the field that is set. */
  static AttributeType inferType(Onnx.AttributeProto a) {
    if (a.hasF()) {
      return AttributeType.FLOAT;
    } else if (a.hasI()) {
      return AttributeType.INT;
    } else if (a.hasS()) {
      return AttributeType.STRING;
    } else if (a.hasT()) {
      return AttributeType.TENSOR;
    } else if (a.hasG()) {
      return AttributeType.GRAPH;
    } else if (a.getFloatsCount() > 0) {
      return AttributeType.FLOATS;
    } else if (a.getIntsCount() > 0) {
      return AttributeType.INTS;
    } else if (a.getStringsCount() > 0) {
      return AttributeType.STRINGS;
    } else if (a.getTensorsCount() > 0) {
      return AttributeType.TENSORS;
    } else if (a.getGraphsCount() > 0) {
      return AttributeType.GRAPHS;
    }
    return AttributeType.UNDEFINED;
  }

  /** The attribute's type as declared or inferred. */
  static AttributeType typeOf(Onnx.AttributeProto a) {
    return a.hasType() ? a.getType() : inferType(a);
  }

  private static String kindText(AttributeType t) {
    return switch (t) {
      case FLOAT -> "a float";
      case INT -> "an int";
      case STRING -> "a string";
      case TENSOR -> "a tensor";
      case GRAPH -> "a graph";
      case FLOATS -> "a list of floats";
      case INTS -> "a list of ints";
      case STRINGS -> "a list of strings";
      case TENSORS -> "a list of tensors";
      case GRAPHS -> "a list of graphs";
      case SPARSE_TENSOR -> "a sparse tensor";
      case SPARSE_TENSORS -> "a list of sparse tensors";
      case TYPE_PROTO -> "a type";
      case TYPE_PROTOS -> "a list of types";
      default -> "an attribute of unknown type";
    };
  }

  private CimcException missing(String name, String kind) {
    return new CimcException(location, describe() + " needs the attribute '" + name + "' (" + kind + ")", null);
  }
}
