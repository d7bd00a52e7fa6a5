package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.dialect.Dialects;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.GraphBuilder;
import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;
import dev.cimc.ir.npy.NpzFormat;
import dev.cimc.ir.op.OpRegistry;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.TensorType;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers one checked model to a graph-dialect graph by evaluating it: expressions compute numbers and
 * shapes, layer calls add nodes through {@link GraphBuilder} (so shapes are checked by the ops' own type
 * inference), block calls evaluate the block's body with its parameters bound. Errors the checker could
 * not see (shape mismatches, bad values, weight files) are reported at the call with a note per enclosing
 * block call; a failed call yields poison, which later calls pass over silently.
 *
 * <p>Layers are named hierarchically: a layer is {@code <scope><as-name>} or {@code <scope><layer>_<k>};
 * a block call opens the scope {@code <name>.} and each iteration of {@code repeat} the scope
 * {@code <name>.<i>.} (a repeat body that is a single unnamed block call uses the iteration scope itself,
 * so {@code repeat 2 { basic(64) } as layer1} names layers {@code layer1.0.conv1} as PyTorch does).
 */
final class Elaborator {
  private static final int MAX_DEPTH = 200;

  private final Checker checker;
  private final Diagnostics d;
  private final OpRegistry registry;
  private final Map<String, Val> constValues = new HashMap<>();
  private final Set<String> constsInProgress = new HashSet<>();
  private final Map<String, LayerHints> hints = new LinkedHashMap<>();
  private final Deque<String> callNotes = new ArrayDeque<>();
  private Graph graph;
  private GraphBuilder builder;
  private WeightSource weights;
  private NameScope scope;
  private LayerHints currentHints = LayerHints.NONE;
  private boolean inlineNextBlock;

  Elaborator(Checker checker, Diagnostics d, OpRegistry registry) {
    this.checker = checker;
    this.d = d;
    this.registry = registry;
  }

  Elaborator(Checker checker, Diagnostics d) {
    this(checker, d, Dialects.standard());
  }

  /**
   * Names given inside one model, block instance or repeat iteration: the explicit ones in a set, the
   * automatic ones ({@code <kind>_<k>}) as a counter per kind, so a long model keeps no set of every name.
   */
  private static final class NameScope {
    final String prefix;
    final Map<String, Integer> counters = new HashMap<>();
    final Set<String> explicit = new HashSet<>();

    NameScope(String prefix) {
      this.prefix = prefix;
    }

    /** Whether {@code name} was given here, explicitly or as an automatic name. */
    boolean taken(String name) {
      if (explicit.contains(name)) {
        return true;
      }
      int underscore = name.lastIndexOf('_');
      if (underscore <= 0 || underscore == name.length() - 1) {
        return false;
      }
      for (int i = underscore + 1; i < name.length(); i++) {
        if (name.charAt(i) < '0' || name.charAt(i) > '9' || i - underscore > 9) {
          return false;
        }
      }
      Integer next = counters.get(name.substring(0, underscore));
      return next != null && Integer.parseInt(name.substring(underscore + 1)) < next;
    }
  }

  /** Variables of a body; a repeat iteration adds its index in a child. */
  private static final class Env {
    final Env parent;
    final Map<String, Val> vars;

    Env(Env parent) {
      this(parent, 8);
    }

    Env(Env parent, int expected) {
      this.parent = parent;
      this.vars = new HashMap<>(Math.max(16, expected * 4 / 3 + 1));
    }

    Val get(String name) {
      for (Env e = this; e != null; e = e.parent) {
        Val v = e.vars.get(name);
        if (v != null) {
          return v;
        }
      }
      return null;
    }
  }

  /** Lowers {@code model}; returns null when errors were reported. */
  DslModel lower(Ast.Model model) {
    builder = new GraphBuilder(model.name().text(), registry);
    graph = builder.graph();
    scope = new NameScope("");
    Env env = new Env(null, model.body().stmts().size() + model.inputs().size());
    for (Ast.Input in : model.inputs()) {
      Val t = input(in);
      scope.explicit.add(in.name().text());
      env.vars.put(in.name().text(), t);
    }
    weights = weightSource(model);
    if (weights == null) {
      weights = WeightSource.failed();
    }
    List<Val> outputs = new ArrayList<>();
    exec(model.body(), env, outputs);
    for (Val v : outputs) {
      if (v instanceof Val.TensorV t) {
        graph.addOutput(t.value());
      }
    }
    var warnings = new ArrayList<DslDiagnostic>();
    for (Ast.Stmt s : model.body().stmts()) {
      // After an error, lowering stopped early and left entries unread: no point in listing them.
      if (s instanceof Ast.Weights w && !d.hasErrors()) {
        List<String> unused = weights.unusedEntries();
        if (!unused.isEmpty()) {
          String list = unused.size() <= 4 ? String.join(", ", unused)
              : String.join(", ", unused.subList(0, 4)) + " and " + (unused.size() - 4) + " more";
          d.warning(w.pathSpan(), "`" + w.path() + "` has entries no layer uses: " + list,
              "layers are matched by name (`<layer>.weight`); name layers with `as`");
        }
      }
    }
    if (d.hasErrors()) {
      return null;
    }
    return new DslModel(graph, hints, warnings);
  }

  private Val input(Ast.Input in) {
    int[] dims = new int[in.dims().size()];
    boolean ok = in.elementType().text().equals("f32");
    for (int i = 0; i < dims.length; i++) {
      Val v = eval(in.dims().get(i), null);
      if (v instanceof Val.IntV iv) {
        if (iv.value() < 1 || iv.value() > Integer.MAX_VALUE) {
          error(in.dims().get(i).span(), "a dimension must be positive, got " + iv.value(), null);
          ok = false;
        } else {
          dims[i] = (int) iv.value();
        }
      } else {
        ok = false;
      }
    }
    if (!ok) {
      return Val.POISON;
    }
    return new Val.TensorV(builder.input(in.name().text(), TensorType.f32(dims)));
  }

  private WeightSource weightSource(Ast.Model model) {
    Map<String, Tensor> file = null;
    String fileName = null;
    Initializer init = null;
    for (Ast.Stmt s : model.body().stmts()) {
      if (s instanceof Ast.Weights w && file == null && w.path().endsWith(".npz")) {
        Path base = Compilation.parentOf(w.span().source().path() != null ? w.span().source().path()
            : Path.of(w.span().source().name()));
        Path path = base.resolve(w.path());
        if (!java.nio.file.Files.isRegularFile(path)) {
          error(w.pathSpan(), "weights file `" + w.path() + "` not found",
              "it is resolved against the folder of the .cim file: " + path);
          return null;
        }
        try {
          file = NpzFormat.read(path);
          fileName = w.path();
        } catch (CimcException e) {
          error(w.pathSpan(), "cannot read weights `" + w.path() + "`: " + e.getMessage(), e.hint());
          return null;
        }
      } else if (s instanceof Ast.Init i && init == null) {
        Signature sig = Initializer.SCHEMES.get(i.scheme().text());
        if (sig == null) {
          return null;
        }
        Val[] args = bindArgs(sig, ArgBinder.bind(sig, false, i.args(), i.span(), d), null, null);
        if (args == null) {
          return null;
        }
        double scale = sig.indexOf("std") >= 0 ? number(args[sig.indexOf("std")])
            : sig.indexOf("limit") >= 0 ? number(args[sig.indexOf("limit")]) : 0;
        long seed = sig.indexOf("seed") >= 0 ? ((Val.IntV) args[sig.indexOf("seed")]).value() : 0;
        if (scale < 0) {
          error(i.span(), "the scale of `" + i.scheme() + "` must not be negative, got " + scale, null);
          return null;
        }
        init = new Initializer(i.scheme().text(), scale, seed);
      }
    }
    return new WeightSource(file, fileName, init);
  }

  private static double number(Val v) {
    return v instanceof Val.IntV i ? i.value() : ((Val.FloatV) v).value();
  }

  // ---- statements ----

  /** Runs a body; a model's return values go to {@code outputs}, a block's single value is returned. */
  private Val exec(Ast.Body body, Env env, List<Val> outputs) {
    for (Ast.Stmt s : body.stmts()) {
      if (s instanceof Ast.Assign a) {
        env.vars.put(a.name().text(), eval(a.value(), env));
      } else if (s instanceof Ast.Return r) {
        Val last = Val.POISON;
        for (Ast.Expr e : r.values()) {
          last = eval(e, env);
          if (outputs != null) {
            outputs.add(last);
          }
        }
        return last;
      }
    }
    return Val.POISON;
  }

  // ---- expressions ----

  private Val constValue(String name) {
    Val v = constValues.get(name);
    if (v != null) {
      return v;
    }
    if (!constsInProgress.add(name)) {
      return Val.POISON;
    }
    v = eval(checker.consts.get(name).value(), null);
    constsInProgress.remove(name);
    constValues.put(name, v);
    return v;
  }

  /** Evaluates {@code e}; {@code env} null means the global scope (constants only). */
  private Val eval(Ast.Expr e, Env env) {
    if (e instanceof Ast.IntLit i) {
      return new Val.IntV(i.value());
    }
    if (e instanceof Ast.FloatLit f) {
      return new Val.FloatV(f.value());
    }
    if (e instanceof Ast.StringLit s) {
      return new Val.StrV(s.value());
    }
    if (e instanceof Ast.BoolLit b) {
      return new Val.BoolV(b.value());
    }
    if (e instanceof Ast.Paren p) {
      return eval(p.inner(), env);
    }
    if (e instanceof Ast.NameRef n) {
      Val v = env == null ? null : env.get(n.name());
      if (v != null) {
        return v;
      }
      return checker.consts.containsKey(n.name()) ? constValue(n.name()) : Val.POISON;
    }
    if (e instanceof Ast.ListLit l) {
      return list(l, env);
    }
    if (e instanceof Ast.Member m) {
      Val t = eval(m.target(), env);
      if (t instanceof Val.TensorV tv) {
        int[] dims = tv.value().type().shape().dims();
        if (m.member().text().equals("shape")) {
          long[] l = new long[dims.length];
          for (int i = 0; i < dims.length; i++) {
            l[i] = dims[i];
          }
          return Val.IntsV.of(l);
        }
        if (m.member().text().equals("rank")) {
          return new Val.IntV(dims.length);
        }
      }
      return Val.POISON;
    }
    if (e instanceof Ast.Index i) {
      return index(i, env);
    }
    if (e instanceof Ast.Unary u) {
      Val v = eval(u.operand(), env);
      if (u.op().equals("-")) {
        if (v instanceof Val.IntV iv) {
          if (iv.value() == Long.MIN_VALUE) {
            error(u.span(), "integer overflow", null);
            return Val.POISON;
          }
          return new Val.IntV(-iv.value());
        }
        return v instanceof Val.FloatV fv ? new Val.FloatV(-fv.value()) : Val.POISON;
      }
      return v instanceof Val.BoolV bv ? new Val.BoolV(!bv.value()) : Val.POISON;
    }
    if (e instanceof Ast.Binary b) {
      return binary(b, env);
    }
    if (e instanceof Ast.If i) {
      Val c = eval(i.condition(), env);
      if (!(c instanceof Val.BoolV bv)) {
        return Val.POISON;
      }
      return eval(bv.value() ? i.then() : i.otherwise(), env);
    }
    if (env == null) {
      return Val.POISON;
    }
    if (e instanceof Ast.Call c) {
      return call(c.span(), c.annotations(), c.callee(), c.args(), c.alias(), null, env);
    }
    var p = (Ast.Pipe) e;
    Val in = eval(p.input(), env);
    if (!(in instanceof Val.TensorV)) {
      return Val.POISON;
    }
    return stage(p.stage(), in, env);
  }

  private Val list(Ast.ListLit l, Env env) {
    var ints = new ArrayList<Long>();
    var floats = new ArrayList<Double>();
    boolean isFloat = false;
    for (Ast.Expr el : l.elements()) {
      Val v = eval(el, env);
      if (v instanceof Val.IntV i) {
        ints.add(i.value());
        floats.add((double) i.value());
      } else if (v instanceof Val.FloatV f) {
        isFloat = true;
        floats.add(f.value());
      } else {
        return Val.POISON;
      }
    }
    return isFloat ? new Val.FloatsV(floats) : new Val.IntsV(ints);
  }

  private Val index(Ast.Index i, Env env) {
    Val t = eval(i.target(), env);
    Val x = eval(i.index(), env);
    if (!(x instanceof Val.IntV iv)) {
      return Val.POISON;
    }
    List<?> values = t instanceof Val.IntsV is ? is.values() : t instanceof Val.FloatsV fs ? fs.values() : null;
    if (values == null) {
      return Val.POISON;
    }
    long k = iv.value();
    int n = values.size();
    if (k < -n || k >= n) {
      error(i.index().span(), "index " + k + " is out of range for a list of " + n,
          n == 0 ? null : "use 0 to " + (n - 1) + ", or -" + n + " to -1 from the end");
      return Val.POISON;
    }
    Object v = values.get((int) (k < 0 ? k + n : k));
    return v instanceof Long l ? new Val.IntV(l) : new Val.FloatV((Double) v);
  }

  private Val binary(Ast.Binary b, Env env) {
    String op = b.op();
    Val l = eval(b.left(), env);
    if (op.equals("&&") || op.equals("||")) {
      if (!(l instanceof Val.BoolV lb)) {
        return Val.POISON;
      }
      if (lb.value() == op.equals("||")) {
        return lb;
      }
      Val r = eval(b.right(), env);
      return r instanceof Val.BoolV ? r : Val.POISON;
    }
    Val r = eval(b.right(), env);
    if (l instanceof Val.IntV li && r instanceof Val.IntV ri) {
      long x = li.value();
      long y = ri.value();
      try {
        switch (op) {
          case "+":
            return new Val.IntV(Math.addExact(x, y));
          case "-":
            return new Val.IntV(Math.subtractExact(x, y));
          case "*":
            return new Val.IntV(Math.multiplyExact(x, y));
          case "/":
          case "%":
            if (y == 0) {
              error(b.opSpan(), "division by zero", null);
              return Val.POISON;
            }
            return new Val.IntV(op.equals("/") ? Math.floorDiv(x, y) : Math.floorMod(x, y));
          default:
            return compare(op, Long.compare(x, y));
        }
      } catch (ArithmeticException overflow) {
        error(b.opSpan(), "integer overflow", null);
        return Val.POISON;
      }
    }
    if ((l instanceof Val.IntV || l instanceof Val.FloatV) && (r instanceof Val.IntV || r instanceof Val.FloatV)) {
      double x = number(l);
      double y = number(r);
      switch (op) {
        case "+":
          return new Val.FloatV(x + y);
        case "-":
          return new Val.FloatV(x - y);
        case "*":
          return new Val.FloatV(x * y);
        case "/":
          return new Val.FloatV(x / y);
        default:
          return compare(op, Double.compare(x, y));
      }
    }
    if (op.equals("+") && l instanceof Val.IntsV a && r instanceof Val.IntsV c) {
      var all = new ArrayList<>(a.values());
      all.addAll(c.values());
      return new Val.IntsV(all);
    }
    if (op.equals("+") && l instanceof Val.FloatsV a && r instanceof Val.FloatsV c) {
      var all = new ArrayList<>(a.values());
      all.addAll(c.values());
      return new Val.FloatsV(all);
    }
    if ((op.equals("==") || op.equals("!=")) && !(l instanceof Val.Poison) && !(r instanceof Val.Poison)
        && !(l instanceof Val.TensorV)) {
      return new Val.BoolV(l.equals(r) == op.equals("=="));
    }
    return Val.POISON;
  }

  private static Val compare(String op, int c) {
    switch (op) {
      case "<":
        return new Val.BoolV(c < 0);
      case "<=":
        return new Val.BoolV(c <= 0);
      case ">":
        return new Val.BoolV(c > 0);
      case ">=":
        return new Val.BoolV(c >= 0);
      case "==":
        return new Val.BoolV(c == 0);
      case "!=":
        return new Val.BoolV(c != 0);
      default:
        return Val.POISON;
    }
  }

  // ---- calls ----

  private Val stage(Ast.Stage s, Val piped, Env env) {
    if (s instanceof Ast.LayerStage l) {
      return call(l.span(), l.annotations(), l.callee(), l.args(), l.alias(), piped, env);
    }
    var r = (Ast.RepeatStage) s;
    Val count = eval(r.count(), env);
    LayerHints own = annotationHints(r.annotations(), env);
    if (!(count instanceof Val.IntV c) || own == null) {
      return Val.POISON;
    }
    if (c.value() < 1 || c.value() > 1_000_000) {
      error(r.count().span(), "the count of `repeat` must be between 1 and 1000000, got " + c.value(), null);
      return Val.POISON;
    }
    String name = claimName(r.alias(), "repeat");
    if (name == null) {
      return Val.POISON;
    }
    LayerHints outer = currentHints;
    currentHints = outer.overriddenBy(own);
    boolean inline = r.body().size() == 1 && r.body().get(0) instanceof Ast.LayerStage only && only.alias() == null
        && checker.blocks.containsKey(only.callee().text());
    Val v = piped;
    try {
      for (long i = 0; i < c.value() && v instanceof Val.TensorV; i++) {
        NameScope saved = scope;
        scope = new NameScope(name + "." + i + ".");
        Env inner = new Env(env);
        if (r.index() != null) {
          inner.vars.put(r.index().text(), new Val.IntV(i));
        }
        try {
          for (Ast.Stage st : r.body()) {
            inlineNextBlock = inline;
            v = stage(st, v, inner);
            if (!(v instanceof Val.TensorV)) {
              break;
            }
          }
        } finally {
          inlineNextBlock = false;
          scope = saved;
        }
      }
    } finally {
      currentHints = outer;
    }
    return v;
  }

  /** A fresh name in the current scope: the {@code as} name, or {@code <kind>_<k>}; null if taken. */
  private String claimName(Ast.Name alias, String kind) {
    if (alias != null) {
      if (scope.taken(alias.text())) {
        error(alias.span(), "the name `" + alias + "` is already used here",
            "names given with `as` must be unique within a model, block or repeat iteration");
        return null;
      }
      scope.explicit.add(alias.text());
      return scope.prefix + alias.text();
    }
    int k = scope.counters.getOrDefault(kind, 0);
    String n = kind + "_" + k;
    while (scope.explicit.contains(n)) {
      n = kind + "_" + ++k;
    }
    scope.counters.put(kind, k + 1);
    return scope.prefix + n;
  }

  private Val call(Span span, List<Ast.Annotation> annotations, Ast.Name callee, List<Ast.Arg> args, Ast.Name alias,
      Val piped, Env env) {
    boolean inline = inlineNextBlock;
    inlineNextBlock = false;
    String n = callee.text();
    Ast.Block block = checker.blocks.get(n);
    LayerDef layer = block == null ? Layers.get(n) : null;
    if (block == null && layer == null) {
      return Val.POISON;
    }
    Signature sig = block != null ? checker.blockSignatures.get(n) : layer.signature();
    ArgBinder.Binding binding = ArgBinder.bind(sig, piped != null, args, span, d);
    Val[] values = bindArgs(sig, binding, piped, env);
    LayerHints own = annotationHints(annotations, env);
    if (values == null || own == null) {
      return Val.POISON;
    }
    LayerHints outer = currentHints;
    currentHints = outer.overriddenBy(own);
    try {
      return block != null ? callBlock(block, sig, values, alias, span, inline) : callLayer(layer, values, alias, span);
    } finally {
      currentHints = outer;
    }
  }

  /**
   * Evaluates the arguments of a binding into one value per parameter (defaults filled in, a variadic
   * parameter's tensors gathered); null when a problem was reported or an argument is poison.
   */
  private Val[] bindArgs(Signature sig, ArgBinder.Binding binding, Val piped, Env env) {
    if (!binding.ok()) {
      return null;
    }
    int n = sig.params().size();
    Val[] out = new Val[n];
    for (int i = 0; i < n; i++) {
      ParamSpec p = sig.params().get(i);
      List<ArgBinder.Actual> slot = binding.slot(i);
      if (p.kind() == null) {
        return null;
      }
      if (slot.isEmpty()) {
        out[i] = p.defaultValue() != null ? p.defaultValue() : blockDefault(sig, i);
        if (out[i] instanceof Val.Poison) {
          return null;
        }
        continue;
      }
      if (p.kind() == Kind.TENSORS) {
        var tensors = new ArrayList<Value>();
        for (ArgBinder.Actual a : slot) {
          Val v = a.piped() ? piped : eval(a.expr(), env);
          if (!(v instanceof Val.TensorV t)) {
            return null;
          }
          tensors.add(t.value());
        }
        out[i] = new Val.TensorsV(tensors);
        continue;
      }
      ArgBinder.Actual a = slot.get(0);
      Val v;
      if (a.piped()) {
        v = piped;
      } else if (p.kind() == Kind.SYMBOL && a.expr() instanceof Ast.NameRef ref) {
        v = new Val.StrV(ref.name());
      } else {
        v = eval(a.expr(), env);
      }
      v = convert(v, p.kind());
      if (v == null) {
        return null;
      }
      out[i] = v;
    }
    return out;
  }

  /** The default of block parameter {@code i}, evaluated in the global scope; null for layers without one. */
  private Val blockDefault(Signature sig, int i) {
    Ast.Block b = checker.blocks.get(sig.name());
    if (b == null || !sig.what().equals("block")) {
      return null;
    }
    Ast.Expr def = b.params().get(i).defaultValue();
    return def == null ? Val.POISON : convert(eval(def, null), sig.params().get(i).kind());
  }

  /** {@code v} as a value of {@code kind} (an int widened to a float or list), or null if it does not fit. */
  private static Val convert(Val v, Kind kind) {
    if (v == null || v instanceof Val.Poison) {
      return null;
    }
    switch (kind) {
      case TENSOR:
        return v instanceof Val.TensorV ? v : null;
      case INT:
        return v instanceof Val.IntV ? v : null;
      case INTS:
        return v instanceof Val.IntsV || v instanceof Val.IntV ? v : null;
      case FLOAT:
        return v instanceof Val.IntV i ? new Val.FloatV(i.value()) : v instanceof Val.FloatV ? v : null;
      case FLOATS:
        if (v instanceof Val.FloatsV) {
          return v;
        }
        if (v instanceof Val.IntsV is) {
          var l = new ArrayList<Double>();
          for (long x : is.values()) {
            l.add((double) x);
          }
          return new Val.FloatsV(l);
        }
        return v instanceof Val.IntV || v instanceof Val.FloatV ? new Val.FloatsV(List.of(number(v))) : null;
      case BOOL:
        return v instanceof Val.BoolV ? v : null;
      default:
        return v instanceof Val.StrV ? v : null;
    }
  }

  /** The hints of a call's annotations combined; null when one of them has an error. */
  private LayerHints annotationHints(List<Ast.Annotation> annotations, Env env) {
    if (annotations.isEmpty()) {
      return LayerHints.NONE;
    }
    LayerHints h = LayerHints.NONE;
    for (Ast.Annotation a : annotations) {
      Signature sig = HintAnnotations.ALL.get(a.name().text());
      if (sig == null) {
        return null;
      }
      ArgBinder.Binding binding = ArgBinder.bind(sig, false, a.args(), a.span(), d);
      Val[] values = bindArgs(sig, binding, null, env);
      if (values == null) {
        return null;
      }
      Span[] spans = new Span[values.length];
      for (int i = 0; i < spans.length; i++) {
        spans[i] = binding.slot(i).isEmpty() ? a.span() : binding.slot(i).get(0).expr().span();
      }
      LayerHints one = HintAnnotations.hints(a.name().text(), values, spans, a.span(), d);
      if (one == null) {
        return null;
      }
      h = h.overriddenBy(one);
    }
    return h;
  }

  private Val callLayer(LayerDef layer, Val[] values, Ast.Name alias, Span span) {
    String name = claimName(alias, layer.name());
    if (name == null) {
      return Val.POISON;
    }
    Node mark = graph.last();
    builder.at(span.location());
    Value result;
    try {
      result = layer.lowering().lower(new LayerCall(layer.name(), name, layer.signature(), values, builder, weights));
    } catch (LayerFailure f) {
      error(span, f.getMessage(), f.hint());
      return Val.POISON;
    } catch (CimcException e) {
      String msg = e.getMessage();
      int colon = msg.indexOf(": ");
      if (msg.startsWith("graph.") && colon > 0) {
        msg = msg.substring(colon + 2);
      }
      error(span, "`" + layer.name() + "`: " + TypeText.rewrite(msg), e.hint());
      return Val.POISON;
    }
    if (!currentHints.isEmpty()) {
      for (Node n = mark == null ? graph.first() : mark.next(); n != null; n = n.next()) {
        if (!n.op().fullName().equals("const")) {
          for (Value v : n.results()) {
            hints.put(v.name(), currentHints);
          }
        }
      }
    }
    return new Val.TensorV(result);
  }

  private Val callBlock(Ast.Block block, Signature sig, Val[] values, Ast.Name alias, Span span, boolean inline) {
    if (checker.recursiveBlocks.contains(block.name().text())) {
      return Val.POISON;
    }
    if (callNotes.size() >= MAX_DEPTH) {
      error(span, "blocks nest more than " + MAX_DEPTH + " deep", null);
      return Val.POISON;
    }
    NameScope saved = scope;
    if (!inline) {
      String name = claimName(alias, block.name().text());
      if (name == null) {
        return Val.POISON;
      }
      scope = new NameScope(name + ".");
    }
    Env env = new Env(null);
    for (int i = 0; i < values.length; i++) {
      env.vars.put(sig.params().get(i).name(), values[i]);
    }
    callNotes.push(span + ": note: in block `" + block.name() + "` called here");
    try {
      return exec(block.body(), env, null);
    } finally {
      callNotes.pop();
      scope = saved;
    }
  }

  private void error(Span span, String message, String hint) {
    d.error(span, message, hint, new ArrayList<>(callNotes));
  }
}
