package dev.cimc.ir.graph;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.op.OpDef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An op instance: operands (values it reads), results (values it defines), attributes and a location.
 * Nodes live in their graph's node list, in topological order. Operands change only through
 * {@link #setOperand}, which keeps use-lists right.
 */
public final class Node {
  private final Graph graph;
  private final OpDef op;
  private final ArrayList<Value> operands;
  private final List<Value> results;
  private Attributes attributes;
  private Location location;
  Node prev;
  Node next;
  boolean erased;

  private final int id;

  Node(Graph graph, int id, OpDef op, List<Value> operands, Attributes attributes, Location location, int numResults) {
    this.graph = graph;
    this.id = id;
    this.op = op;
    this.operands = new ArrayList<>(operands);
    this.attributes = attributes == null ? Attributes.EMPTY : attributes;
    this.location = location == null ? Location.UNKNOWN : location;
    this.results = new ArrayList<>(numResults);
  }

  void addResult(Value v) {
    results.add(v);
  }

  public Graph graph() {
    return graph;
  }

  /**
   * A number unique among the nodes ever created in this graph, below {@link Graph#nodeIdBound()}: an index
   * for side tables in analyses. It says nothing about order.
   */
  public int id() {
    return id;
  }

  public OpDef op() {
    return op;
  }

  public List<Value> operands() {
    return Collections.unmodifiableList(operands);
  }

  public int numOperands() {
    return operands.size();
  }

  public Value operand(int i) {
    return operands.get(i);
  }

  /** Replaces operand {@code i}, updating both use-lists. */
  public void setOperand(int i, Value v) {
    Value old = operands.get(i);
    if (old == v) {
      return;
    }
    graph.checkOwned(v);
    old.removeUser(this);
    operands.set(i, v);
    v.addUser(this);
  }

  public List<Value> results() {
    return Collections.unmodifiableList(results);
  }

  public int numResults() {
    return results.size();
  }

  public Value result(int i) {
    return results.get(i);
  }

  /** The only result; throws if the node has several. */
  public Value result() {
    if (results.size() != 1) {
      throw new IllegalStateException(op.fullName() + " has " + results.size() + " results, not 1");
    }
    return results.get(0);
  }

  /** Attributes set explicitly on this node (defaults are not included). */
  public Attributes attributes() {
    return attributes;
  }

  public void setAttributes(Attributes a) {
    this.attributes = a == null ? Attributes.EMPTY : a;
  }

  public void setAttribute(String name, Attribute value) {
    this.attributes = attributes.with(name, value);
  }

  /** The attribute as set, or the op's default, or null. */
  public Attribute attr(String name) {
    Attribute a = attributes.get(name);
    return a != null ? a : op.defaultOf(name);
  }

  public long intAttr(String name) {
    return ((Attribute.IntAttr) required(name)).value();
  }

  public double floatAttr(String name) {
    return ((Attribute.FloatAttr) required(name)).value();
  }

  public boolean boolAttr(String name) {
    return ((Attribute.BoolAttr) required(name)).value();
  }

  public String stringAttr(String name) {
    return ((Attribute.StringAttr) required(name)).value();
  }

  public long[] intsAttr(String name) {
    return ((Attribute.IntsAttr) required(name)).values();
  }

  public double[] floatsAttr(String name) {
    return ((Attribute.FloatsAttr) required(name)).values();
  }

  private Attribute required(String name) {
    Attribute a = attr(name);
    if (a == null) {
      throw new IllegalStateException(op.fullName() + " has no attribute '" + name + "' and no default for it");
    }
    return a;
  }

  public Location location() {
    return location;
  }

  public void setLocation(Location l) {
    this.location = l == null ? Location.UNKNOWN : l;
  }

  /** The next node in the graph's order, or null. */
  public Node next() {
    return next;
  }

  /** The previous node in the graph's order, or null. */
  public Node prev() {
    return prev;
  }

  public boolean isErased() {
    return erased;
  }

  /** True if no result is read by a node or returned by the graph. */
  public boolean isDead() {
    for (Value r : results) {
      if (r.isUsed()) {
        return false;
      }
    }
    return true;
  }

  /** A short reference for messages: {@code %3 = graph.add} (first result's name and the op). */
  public String describe() {
    if (results.isEmpty()) {
      return op.fullName();
    }
    return "%" + results.get(0).name() + " = " + op.fullName();
  }

  void dropOperandUses() {
    for (Value v : operands) {
      v.removeUser(this);
    }
  }

  void addOperandUses() {
    for (Value v : operands) {
      v.addUser(this);
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
