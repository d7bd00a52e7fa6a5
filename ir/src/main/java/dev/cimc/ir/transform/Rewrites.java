package dev.cimc.ir.transform;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.dialect.Builtin;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.OpDef;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Graph edits shared by the passes that rewrite weights and fuse nodes: reading constants, swapping them
 * for rewritten ones, rebuilding a node with other operands or another op. A rewritten constant takes over
 * the name of the one it replaces once that one is dead, and a rebuilt node the names of the node it
 * replaces, so weights and activations keep their names through the passes.
 */
final class Rewrites {
  private Rewrites() {}

  /** The tensor of {@code v} if a {@code const} node defines it, else null. */
  static Tensor of(Value v) {
    Node p = v.producer();
    if (p == null || !p.op().has(Trait.CONSTANT_LIKE) || p.numOperands() != 0
        || !(p.attr("value") instanceof Attribute.TensorAttr ta)) {
      return null;
    }
    return ta.value();
  }

  /** True if {@code v} is a float constant of static shape without quantization. */
  static boolean isFloat(Value v) {
    Tensor t = of(v);
    return t != null && t.elementType().isFloat() && !t.type().isQuantized();
  }

  /** The elements of a float tensor as doubles (a fresh array). */
  static double[] doubles(Tensor t) {
    double[] r = new double[t.size()];
    if (t.isCompactSplat() && r.length > 0) {
      java.util.Arrays.fill(r, t.getDouble(0));
    } else if (t.elementType() == ElementType.F32) {
      float[] f = t.floats();
      for (int i = 0; i < r.length; i++) {
        r[i] = f[i];
      }
    } else {
      for (int i = 0; i < r.length; i++) {
        r[i] = t.getDouble(i);
      }
    }
    return r;
  }

  /** A tensor of {@code type} holding {@code values} rounded to its element type. */
  static Tensor tensor(TensorType type, double[] values) {
    if (type.elementType() == ElementType.F32) {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return Tensor.wrap(type, f);
    }
    return Tensor.fromDoubles(type, values);
  }

  /** A new {@code const} right before {@code anchor}, named {@code hint} (made unique). */
  static Value insert(Node anchor, String hint, Tensor t) {
    Node c = anchor.graph().insertBefore(anchor, Builtin.CONST, List.of(),
        Attributes.of("value", new Attribute.TensorAttr(t)), List.of(t.type()), List.of(hint),
        anchor.location());
    return c.result();
  }

  /**
   * Makes operand {@code i} of {@code n} a new constant holding {@code t}; the old constant is erased if
   * nothing else reads it, and the new one then takes its name.
   */
  static void replaceOperand(Node n, int i, Tensor t) {
    Value old = n.operand(i);
    Value c = insert(n, old.name(), t);
    n.setOperand(i, c);
    String name = old.name();
    if (eraseIfDead(old)) {
      c.rename(name);
    }
  }

  /** Erases the defining node of {@code v} if it is a pure node nothing reads. Returns true if erased. */
  static boolean eraseIfDead(Value v) {
    Node p = v.producer();
    if (p != null && !p.isErased() && p.op().has(Trait.PURE) && p.isDead()) {
      Graph g = p.graph();
      g.erase(p);
      return true;
    }
    return false;
  }

  /** Renames {@code v} to {@code name} if no other value holds that name. */
  static void renameIfFree(Value v, String name) {
    if (v.graph().value(name) == null) {
      v.rename(name);
    }
  }

  /**
   * Replaces {@code old} by a new node of {@code op} with these operands and attributes, placed where
   * {@code old} was, with {@code old}'s result types, names and location. Returns the new node.
   */
  static Node rebuild(Node old, OpDef op, List<Value> operands, Attributes attrs) {
    Graph g = old.graph();
    var types = new ArrayList<TensorType>();
    for (Value r : old.results()) {
      types.add(r.type());
    }
    Node n = g.insertBefore(old, op, operands, attrs, types, null, old.location());
    var names = new ArrayList<String>();
    for (Value r : old.results()) {
      names.add(r.name());
    }
    g.replaceNode(old, n.results());
    for (int i = 0; i < names.size(); i++) {
      n.result(i).rename(names.get(i));
    }
    return n;
  }

  /**
   * Replaces every use of {@code from}'s value by {@code to} (a value defined earlier), erases {@code from}
   * and gives {@code to} its name, so readers and graph outputs see the same name as before.
   */
  static void replaceKeepingName(Node from, Value to) {
    String name = from.result().name();
    from.graph().replaceNode(from, List.of(to));
    to.rename(name);
  }

  /** True if {@code v} is read by exactly one operand slot and is not a graph output. */
  static boolean hasSingleUse(Value v) {
    return v.users().size() == 1 && !v.graph().isOutput(v);
  }
}
