package dev.cimc.ir.graph;

import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A function in the IR: named inputs, a list of nodes in topological order, and outputs.
 *
 * <p>The graph is the only thing that edits use-lists and the node list: {@link #append},
 * {@link #insertBefore}, {@link #insertAfter}, {@link #replaceAllUsesWith}, {@link #erase}. Value names
 * are unique within a graph; {@link #uniqueName} hands out fresh ones.
 */
public final class Graph {
  private String name;
  private final ArrayList<Value> inputs = new ArrayList<>();
  private final ArrayList<Value> outputs = new ArrayList<>();
  private final HashMap<String, Value> valuesByName = new HashMap<>();
  private Node first;
  private Node last;
  private int size;
  private int nextTemp;
  private int nextValueId;
  private int nextNodeId;

  public Graph(String name) {
    this.name = Objects.requireNonNull(name);
  }

  public String name() {
    return name;
  }

  public void setName(String name) {
    this.name = Objects.requireNonNull(name);
  }

  // ---- inputs and outputs ----

  /** Adds a graph input; a taken name is made unique. */
  public Value addInput(String name, TensorType type) {
    var v = new Value(this, nextValueId++, uniqueName(name), Objects.requireNonNull(type), null, 0);
    valuesByName.put(v.name(), v);
    inputs.add(v);
    return v;
  }

  public List<Value> inputs() {
    return Collections.unmodifiableList(inputs);
  }

  public Value input(int i) {
    return inputs.get(i);
  }

  /** Removes an unused graph input. */
  public void removeInput(Value v) {
    if (v.hasUsers() || isOutput(v)) {
      throw new IllegalStateException("graph input %" + v.name() + " is still used");
    }
    if (!inputs.remove(v)) {
      throw new IllegalStateException("%" + v.name() + " is not an input of @" + name);
    }
    valuesByName.remove(v.name());
  }

  public List<Value> outputs() {
    return Collections.unmodifiableList(outputs);
  }

  public Value output(int i) {
    return outputs.get(i);
  }

  public void setOutputs(List<Value> vs) {
    for (Value v : vs) {
      checkOwned(v);
    }
    outputs.clear();
    outputs.addAll(vs);
  }

  public void addOutput(Value v) {
    checkOwned(v);
    outputs.add(v);
  }

  public void setOutput(int i, Value v) {
    checkOwned(v);
    outputs.set(i, v);
  }

  public boolean isOutput(Value v) {
    for (Value o : outputs) {
      if (o == v) {
        return true;
      }
    }
    return false;
  }

  // ---- names ----

  /** Finds a value by name (without {@code %}), or null. */
  public Value value(String name) {
    return valuesByName.get(name);
  }

  /**
   * A name not yet taken in this graph: {@code hint} itself if free, else {@code hint_1}, {@code hint_2},
   * ...; a null or empty hint gives the next free number.
   */
  public String uniqueName(String hint) {
    if (hint == null || hint.isEmpty()) {
      String n;
      do {
        n = Integer.toString(nextTemp++);
      } while (valuesByName.containsKey(n));
      return n;
    }
    if (!valuesByName.containsKey(hint)) {
      return hint;
    }
    int k = 1;
    String n;
    do {
      n = hint + "_" + k++;
    } while (valuesByName.containsKey(n));
    return n;
  }

  void renameValue(Value v, String newName) {
    if (v.name().equals(newName)) {
      return;
    }
    if (valuesByName.containsKey(newName)) {
      throw new IllegalArgumentException("value name %" + newName + " is taken in @" + name);
    }
    valuesByName.remove(v.name());
    v.setNameInternal(newName);
    valuesByName.put(newName, v);
  }

  void checkOwned(Value v) {
    if (v.graph() != this) {
      throw new IllegalStateException("%" + v.name() + " belongs to another graph than @" + name);
    }
    if (valuesByName.get(v.name()) != v) {
      throw new IllegalStateException("%" + v.name() + " was erased from @" + name);
    }
  }

  /** One more than the largest {@link Value#id()} handed out so far. */
  public int valueIdBound() {
    return nextValueId;
  }

  /** One more than the largest {@link Node#id()} handed out so far. */
  public int nodeIdBound() {
    return nextNodeId;
  }

  // ---- nodes ----

  public int size() {
    return size;
  }

  /** The first node, or null for an empty graph; walk on with {@link Node#next()}. */
  public Node first() {
    return first;
  }

  public Node last() {
    return last;
  }

  /** A snapshot of the nodes in order, safe to iterate while rewriting (skip erased nodes). */
  public List<Node> nodes() {
    var list = new ArrayList<Node>(size);
    for (Node n = first; n != null; n = n.next) {
      list.add(n);
    }
    return list;
  }

  /** Appends a node at the end. A null name in {@code resultNames} (or a null list) gets a fresh number. */
  public Node append(OpDef op, List<Value> operands, Attributes attrs, List<TensorType> resultTypes,
      List<String> resultNames, Location loc) {
    Node n = create(op, operands, attrs, resultTypes, resultNames, loc);
    link(n, last);
    return n;
  }

  /** Inserts a new node right before {@code anchor}. */
  public Node insertBefore(Node anchor, OpDef op, List<Value> operands, Attributes attrs,
      List<TensorType> resultTypes, List<String> resultNames, Location loc) {
    checkLinked(anchor);
    Node n = create(op, operands, attrs, resultTypes, resultNames, loc);
    link(n, anchor.prev);
    return n;
  }

  /** Inserts a new node right after {@code anchor}. */
  public Node insertAfter(Node anchor, OpDef op, List<Value> operands, Attributes attrs,
      List<TensorType> resultTypes, List<String> resultNames, Location loc) {
    checkLinked(anchor);
    Node n = create(op, operands, attrs, resultTypes, resultNames, loc);
    link(n, anchor);
    return n;
  }

  /** Moves a node to just before {@code anchor} (the caller keeps the order topological). */
  public void moveBefore(Node n, Node anchor) {
    checkLinked(n);
    checkLinked(anchor);
    if (n == anchor) {
      return;
    }
    unlink(n);
    link(n, anchor.prev);
  }

  private Node create(OpDef op, List<Value> operands, Attributes attrs, List<TensorType> resultTypes,
      List<String> resultNames, Location loc) {
    Objects.requireNonNull(op, "op");
    for (Value v : operands) {
      checkOwned(Objects.requireNonNull(v, "operand"));
    }
    if (resultNames != null && resultNames.size() != resultTypes.size()) {
      throw new IllegalArgumentException(resultTypes.size() + " result types but " + resultNames.size() + " names");
    }
    Node n = new Node(this, nextNodeId++, op, operands, attrs, loc, resultTypes.size());
    for (int i = 0; i < resultTypes.size(); i++) {
      String hint = resultNames == null ? null : resultNames.get(i);
      var v = new Value(this, nextValueId++, uniqueName(hint), Objects.requireNonNull(resultTypes.get(i)), n, i);
      valuesByName.put(v.name(), v);
      n.addResult(v);
    }
    n.addOperandUses();
    return n;
  }

  private void link(Node n, Node after) {
    n.prev = after;
    n.next = after == null ? first : after.next;
    if (n.next != null) {
      n.next.prev = n;
    } else {
      last = n;
    }
    if (after != null) {
      after.next = n;
    } else {
      first = n;
    }
    size++;
  }

  private void unlink(Node n) {
    if (n.prev != null) {
      n.prev.next = n.next;
    } else {
      first = n.next;
    }
    if (n.next != null) {
      n.next.prev = n.prev;
    } else {
      last = n.prev;
    }
    n.prev = null;
    n.next = null;
    size--;
  }

  private void checkLinked(Node n) {
    if (n.graph() != this || n.erased) {
      throw new IllegalStateException(n.describe() + " is not a live node of @" + name);
    }
  }

  /** Points every reader of {@code from} (nodes and graph outputs) at {@code to}. */
  public void replaceAllUsesWith(Value from, Value to) {
    checkOwned(to);
    if (from == to) {
      return;
    }
    for (Node user : from.usersSnapshot()) {
      for (int i = 0; i < user.numOperands(); i++) {
        if (user.operand(i) == from) {
          user.setOperand(i, to);
        }
      }
    }
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i) == from) {
        outputs.set(i, to);
      }
    }
  }

  /** Replaces the results of {@code n} by {@code replacements} everywhere and erases {@code n}. */
  public void replaceNode(Node n, List<Value> replacements) {
    if (replacements.size() != n.numResults()) {
      throw new IllegalArgumentException(n.describe() + " has " + n.numResults() + " results, got "
          + replacements.size() + " replacements");
    }
    for (int i = 0; i < replacements.size(); i++) {
      replaceAllUsesWith(n.result(i), replacements.get(i));
    }
    erase(n);
  }

  /** Erases a node whose results are no longer used; its result names become free. */
  public void erase(Node n) {
    checkLinked(n);
    for (Value r : n.results()) {
      if (r.isUsed()) {
        throw new IllegalStateException("cannot erase " + n.describe() + ": %" + r.name() + " is still used");
      }
    }
    n.dropOperandUses();
    for (Value r : n.results()) {
      valuesByName.remove(r.name());
    }
    unlink(n);
    n.erased = true;
  }

  /** A deep copy of the structure; tensors held by attributes are shared, not copied. */
  public Graph copy() {
    var g = new Graph(name);
    g.nextTemp = nextTemp;
    var map = new IdentityHashMap<Value, Value>();
    for (Value in : inputs) {
      map.put(in, g.addInput(in.name(), in.type()));
    }
    for (Node n = first; n != null; n = n.next) {
      var ops = new ArrayList<Value>(n.numOperands());
      for (Value v : n.operands()) {
        ops.add(map.get(v));
      }
      var types = new ArrayList<TensorType>(n.numResults());
      var names = new ArrayList<String>(n.numResults());
      for (Value r : n.results()) {
        types.add(r.type());
        names.add(r.name());
      }
      Node c = g.append(n.op(), ops, n.attributes(), types, names, n.location());
      for (int i = 0; i < n.numResults(); i++) {
        map.put(n.result(i), c.result(i));
      }
    }
    for (Value o : outputs) {
      g.outputs.add(map.get(o));
    }
    return g;
  }

  @Override
  public String toString() {
    return "@" + name + " (" + size + " nodes)";
  }
}
