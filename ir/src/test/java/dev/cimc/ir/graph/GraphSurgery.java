package dev.cimc.ir.graph;

import java.lang.reflect.Field;
import java.util.List;

/**
 * Breaks graph invariants on purpose, bypassing the rewriting API, so tests can show the verifier
 * catching states the public API refuses to produce. Test code only.
 */
public final class GraphSurgery {
  private GraphSurgery() {}

  /** Renames a value without updating the graph's name table. */
  public static void renameRaw(Value v, String name) {
    v.setNameInternal(name);
  }

  /** Adds a use-list entry without an operand slot reading the value. */
  public static void addUseRaw(Value v, Node user) {
    v.addUser(user);
  }

  /** Removes one use-list entry while the operand slot still reads the value. */
  public static void removeUseRaw(Value v, Node user) {
    v.removeUser(user);
  }

  /** Points an operand slot at any value, without ownership checks or use-list updates. */
  public static void setOperandRaw(Node n, int i, Value v) {
    listField(Node.class, "operands", n).set(i, v);
  }

  /** Replaces a result slot of a node by any value (its producer stays what it was). */
  public static void setResultRaw(Node n, int i, Value v) {
    listField(Node.class, "results", n).set(i, v);
  }

  /** Appends a graph output without ownership checks. */
  public static void addOutputRaw(Graph g, Value v) {
    listField(Graph.class, "outputs", g).add(v);
  }

  @SuppressWarnings("unchecked")
  private static List<Value> listField(Class<?> owner, String name, Object target) {
    try {
      Field f = owner.getDeclaredField(name);
      f.setAccessible(true);
      return (List<Value>) f.get(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot reach " + owner.getSimpleName() + "." + name, e);
    }
  }
}
