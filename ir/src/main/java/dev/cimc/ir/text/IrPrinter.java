package dev.cimc.ir.text;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.op.Trait;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import dev.cimc.ir.type.TensorType;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a graph in the cimc text format (see {@code docs/ir-text-format.md}):
 *
 * <pre>
 * graph @mlp(%x: tensor&lt;1x4xf32&gt;) -&gt; tensor&lt;1x2xf32&gt; {
 *   %w = const @w : tensor&lt;4x2xf32&gt;
 *   %0 = graph.matmul(%x, %w) : tensor&lt;1x2xf32&gt;
 *   %1 = graph.reshape(%0) {shape = [2]} : tensor&lt;2xf32&gt;
 *   return %1
 * }
 * </pre>
 *
 * Constants larger than {@link PrintOptions#inlineLimit()} print as named blobs whose tensors are returned
 * beside the text (one blob per distinct tensor instance), so a graph with its blobs reads back exactly.
 */
public final class IrPrinter {
  private final PrintOptions options;
  private final StringBuilder sb;
  private final Map<TensorType, String> typeCache = new HashMap<>();
  private final IdentityHashMap<Tensor, String> blobNames = new IdentityHashMap<>();
  private final LinkedHashMap<String, Tensor> blobs = new LinkedHashMap<>();

  private IrPrinter(PrintOptions options, int capacity) {
    this.options = options;
    this.sb = new StringBuilder(capacity);
  }

  /** The text of a graph and the blobs it references (empty when constants are elided). */
  public record Printed(String text, Map<String, Tensor> blobs) {}

  /** Prints with default options (inline up to 16 elements, blobs kept). */
  public static Printed print(Graph g) {
    return print(g, PrintOptions.defaults());
  }

  public static Printed print(Graph g, PrintOptions options) {
    var p = new IrPrinter(options, 64 + g.size() * 72);
    p.printGraph(g);
    return new Printed(p.sb.toString(),
        options.elideConstants() ? Map.of() : Collections.unmodifiableMap(p.blobs));
  }

  /** The text only (blobs dropped): for dumps and messages. */
  public static String toText(Graph g, PrintOptions options) {
    return print(g, options).text();
  }

  private void printGraph(Graph g) {
    sb.append("graph @");
    appendName(sb, g.name());
    sb.append('(');
    List<Value> ins = g.inputs();
    for (int i = 0; i < ins.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      appendValue(ins.get(i));
      sb.append(": ");
      appendType(ins.get(i).type());
    }
    sb.append(") -> ");
    List<Value> outs = g.outputs();
    if (outs.size() == 1) {
      appendType(outs.get(0).type());
    } else {
      sb.append('(');
      for (int i = 0; i < outs.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        appendType(outs.get(i).type());
      }
      sb.append(')');
    }
    sb.append(" {\n");
    for (Node n = g.first(); n != null; n = n.next()) {
      printNode(n);
    }
    sb.append("  return");
    for (int i = 0; i < outs.size(); i++) {
      sb.append(i == 0 ? " " : ", ");
      appendValue(outs.get(i));
    }
    sb.append("\n}\n");
  }

  private void printNode(Node n) {
    sb.append("  ");
    for (int i = 0; i < n.numResults(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      appendValue(n.result(i));
    }
    if (n.numResults() > 0) {
      sb.append(" = ");
    }
    sb.append(n.op().fullName());
    if (n.op().has(Trait.CONSTANT_LIKE) && n.numOperands() == 0 && n.attributes().size() == 1
        && n.attributes().get("value") instanceof Attribute.TensorAttr ta) {
      // Builtin constant syntax: `const dense<...>` or `const @blob`.
      sb.append(' ');
      appendTensorRef(ta.value(), n.result(0).name());
    } else {
      sb.append('(');
      for (int i = 0; i < n.numOperands(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        appendValue(n.operand(i));
      }
      sb.append(')');
      if (!n.attributes().isEmpty()) {
        sb.append(" {");
        boolean first = true;
        for (var e : n.attributes().entries()) {
          if (!first) {
            sb.append(", ");
          }
          first = false;
          appendName(sb, e.getKey());
          sb.append(" = ");
          appendAttr(e.getValue());
        }
        sb.append('}');
      }
    }
    sb.append(" : ");
    for (int i = 0; i < n.numResults(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      appendType(n.result(i).type());
    }
    if (options.printLocations() && !(n.location() instanceof Location.Unknown)) {
      sb.append(' ');
      appendLocation(n.location());
    }
    sb.append('\n');
  }

  private void appendLocation(Location loc) {
    sb.append("loc(");
    if (loc instanceof Location.FileLineCol f) {
      appendString(sb, f.file());
      sb.append(':').append(f.line()).append(':').append(f.col());
    } else if (loc instanceof Location.Named nl) {
      appendString(sb, nl.name());
      if (nl.file() != null) {
        sb.append(" in ");
        appendString(sb, nl.file());
      }
    }
    sb.append(')');
  }

  private void appendAttr(Attribute a) {
    if (a instanceof Attribute.IntAttr i) {
      sb.append(i.value());
    } else if (a instanceof Attribute.FloatAttr f) {
      Numbers.appendDouble(sb, f.value());
    } else if (a instanceof Attribute.BoolAttr b) {
      sb.append(b.value());
    } else if (a instanceof Attribute.StringAttr s) {
      appendString(sb, s.value());
    } else if (a instanceof Attribute.TypeAttr t) {
      sb.append(t.value().text());
    } else if (a instanceof Attribute.IntsAttr l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(l.get(i));
      }
      sb.append(']');
    } else if (a instanceof Attribute.FloatsAttr l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        Numbers.appendDouble(sb, l.get(i));
      }
      sb.append(']');
    } else if (a instanceof Attribute.StringsAttr l) {
      sb.append('[');
      for (int i = 0; i < l.values().size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        appendString(sb, l.values().get(i));
      }
      sb.append(']');
    } else if (a instanceof Attribute.TensorAttr t) {
      appendTensorRef(t.value(), null);
      sb.append(" : ");
      appendType(t.value().type());
    } else {
      throw new IllegalStateException("unknown attribute kind " + a.kind());
    }
  }

  /** Inline {@code dense<...>} for small tensors and splats, else a blob reference {@code @name}. */
  private void appendTensorRef(Tensor t, String nameHint) {
    if (t.size() <= options.inlineLimit() || (t.size() > 0 && t.isSplat())) {
      appendDense(t);
      return;
    }
    String name = blobNames.get(t);
    if (name == null) {
      String base = nameHint == null ? "blob" : nameHint;
      name = base;
      for (int k = 1; blobs.containsKey(name); k++) {
        name = base + "_" + k;
      }
      blobNames.put(t, name);
      blobs.put(name, t);
    }
    sb.append('@');
    appendName(sb, name);
  }

  private void appendDense(Tensor t) {
    sb.append("dense<");
    if (t.size() > 1 && t.isSplat()) {
      appendElement(t, 0);
    } else {
      sb.append('[');
      for (int i = 0; i < t.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        appendElement(t, i);
      }
      sb.append(']');
    }
    sb.append('>');
  }

  private void appendElement(Tensor t, int i) {
    ElementType et = t.elementType();
    if (et == ElementType.F64) {
      Numbers.appendDouble(sb, t.getDouble(i));
    } else if (et.isFloat()) {
      Numbers.appendFloat(sb, t.getFloat(i));
    } else {
      sb.append(t.getLong(i));
    }
  }

  private void appendValue(Value v) {
    sb.append('%');
    appendName(sb, v.name());
  }

  private void appendType(TensorType t) {
    String s = typeCache.get(t);
    if (s == null) {
      s = TypeSyntax.print(t);
      typeCache.put(t, s);
    }
    sb.append(s);
  }

  /** True if a name prints bare after {@code %} or {@code @}: letters, digits and {@code _ $ . -}. */
  public static boolean isBareName(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '$' || c == '.' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A name bare when possible, else quoted with escapes. */
  public static void appendName(StringBuilder sb, String s) {
    if (isBareName(s)) {
      sb.append(s);
    } else {
      appendString(sb, s);
    }
  }

  /** A string literal: {@code "..."} with {@code \" \\ \n \t} and {@code \XX} hex escapes for other controls. */
  public static void appendString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7F) {
            sb.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
