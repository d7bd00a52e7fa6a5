package dev.cimc.ir.graph;

import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An SSA value: defined once, by a node result or as a graph input, and read by any number of nodes.
 * Its use-list is kept by the graph's rewriting API; nothing else edits it.
 */
public final class Value {
  private final Graph graph;
  private String name;
  private TensorType type;
  private Node producer;
  private final int resultIndex;
  private final ArrayList<Node> users = new ArrayList<>(2);
  private final int id;

  Value(Graph graph, int id, String name, TensorType type, Node producer, int resultIndex) {
    this.graph = graph;
    this.id = id;
    this.name = name;
    this.type = type;
    this.producer = producer;
    this.resultIndex = resultIndex;
  }

  public Graph graph() {
    return graph;
  }

  /**
   * A number unique among the values ever created in this graph, below {@link Graph#valueIdBound()}: an index
   * for side tables in analyses (arrays instead of identity maps).
   */
  public int id() {
    return id;
  }

  /** The name, unique within the graph, without the {@code %}. */
  public String name() {
    return name;
  }

  public TensorType type() {
    return type;
  }

  /** Changes the type (for passes that refine or retype values); the verifier checks it afterwards. */
  public void setType(TensorType type) {
    this.type = java.util.Objects.requireNonNull(type);
  }

  /** Renames the value; the name must be free in the graph. */
  public void rename(String newName) {
    graph.renameValue(this, newName);
  }

  void setNameInternal(String n) {
    this.name = n;
  }

  /** The node that defines this value, or null for a graph input. */
  public Node producer() {
    return producer;
  }

  void clearProducer() {
    this.producer = null;
  }

  /** Position among the producer's results (0 for graph inputs). */
  public int resultIndex() {
    return resultIndex;
  }

  public boolean isGraphInput() {
    return producer == null;
  }

  /** Nodes reading this value, once per operand slot that reads it, in no particular order. */
  public List<Node> users() {
    return Collections.unmodifiableList(users);
  }

  public boolean hasUsers() {
    return !users.isEmpty();
  }

  /** True if a node reads the value or the graph returns it. */
  public boolean isUsed() {
    return !users.isEmpty() || graph.isOutput(this);
  }

  void addUser(Node n) {
    users.add(n);
  }

  void removeUser(Node n) {
    if (!users.remove(n)) {
      throw new IllegalStateException("use-list of %" + name + " does not contain " + n.op().fullName());
    }
  }

  /** A snapshot of the users, safe to iterate while rewriting. */
  List<Node> usersSnapshot() {
    return new ArrayList<>(users);
  }

  @Override
  public String toString() {
    return "%" + name + ": " + type;
  }
}
