package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.type.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The semantic checks that run before lowering, over every file of a compilation: undefined and
 * duplicate names (with suggestions), argument counts, names and types of every call, statement rules
 * ({@code return} last, {@code weights}/{@code init} in models only), recursion among blocks, and unused
 * values (warnings). Expressions get static types ({@link SType}); an expression with an error gets
 * {@link SType#UNKNOWN}, which is accepted everywhere, so one mistake is reported once.
 */
final class Checker {
  private final Diagnostics d;
  final Map<String, Ast.Const> consts = new LinkedHashMap<>();
  final Map<String, Ast.Block> blocks = new LinkedHashMap<>();
  final Map<String, Signature> blockSignatures = new HashMap<>();
  /** Models of the main file, by name. */
  final Map<String, Ast.Model> models = new LinkedHashMap<>();
  /** Blocks that call themselves, directly or not; lowering skips calls to them. */
  final Set<String> recursiveBlocks = new HashSet<>();
  private final Set<String> allModelNames = new HashSet<>();
  private final Map<String, SType> constTypes = new HashMap<>();
  private final Set<String> constsInProgress = new HashSet<>();
  private final Map<String, List<Edge>> calls = new LinkedHashMap<>();

  /** A call of block {@code callee} at {@code span}. */
  private record Edge(String callee, Span span) {}

  Checker(Diagnostics d) {
    this.d = d;
  }

  /** Checks every parsed file; {@code main} is the file whose models can be lowered. */
  void check(List<Ast.Program> programs, Ast.Program main) {
    for (Ast.Program p : programs) {
      declare(p, p == main);
    }
    for (String name : consts.keySet()) {
      constType(name);
    }
    for (Ast.Program p : programs) {
      for (Ast.Item item : p.items()) {
        if (item instanceof Ast.Block b && blocks.get(b.name().text()) == b) {
          checkBlock(b);
        } else if (item instanceof Ast.Model m) {
          checkModel(m);
        }
      }
    }
    findRecursion();
  }

  // ---- declarations ----

  private void declare(Ast.Program p, boolean isMain) {
    var modelsHere = new LinkedHashMap<String, Ast.Model>();
    for (Ast.Item item : p.items()) {
      if (item instanceof Ast.Const c) {
        Ast.Const prev = consts.putIfAbsent(c.name().text(), c);
        if (prev != null) {
          d.error(c.name().span(), "constant `" + c.name() + "` is already defined at " + prev.name().span(), null);
        }
      } else if (item instanceof Ast.Block b) {
        String n = b.name().text();
        if (Layers.get(n) != null) {
          d.error(b.name().span(), "block `" + n + "` has the name of a built-in layer", "rename the block");
          continue;
        }
        Ast.Block prev = blocks.putIfAbsent(n, b);
        if (prev != null) {
          d.error(b.name().span(), "block `" + n + "` is already defined at " + prev.name().span(), null);
          continue;
        }
        blockSignatures.put(n, blockSignature(b));
      } else if (item instanceof Ast.Model m) {
        Ast.Model prev = modelsHere.putIfAbsent(m.name().text(), m);
        if (prev != null) {
          d.error(m.name().span(), "model `" + m.name() + "` is already defined at " + prev.name().span(), null);
        }
        allModelNames.add(m.name().text());
      }
    }
    if (isMain) {
      models.putAll(modelsHere);
    }
  }

  private Signature blockSignature(Ast.Block b) {
    var params = new ArrayList<ParamSpec>();
    var seen = new HashSet<String>();
    for (Ast.Param p : b.params()) {
      if (!seen.add(p.name().text())) {
        d.error(p.name().span(), "parameter `" + p.name() + "` is already declared", null);
      }
      Kind kind = Kind.TENSOR;
      if (p.type() != null) {
        SType t = SType.fromParamType(p.type().text());
        if (t == null) {
          String near = Spelling.didYouMean(p.type().text(), SType.PARAM_TYPE_NAMES);
          d.error(p.type().span(), "unknown type `" + p.type() + "`",
              near != null ? near : "types are " + String.join(", ", SType.PARAM_TYPE_NAMES));
          kind = null;
        } else {
          kind = Kind.of(t);
        }
      }
      if (p.defaultValue() != null && kind == Kind.TENSOR) {
        d.error(p.defaultValue().span(), "a tensor parameter cannot have a default", null);
      }
      params.add(new ParamSpec(p.name().text(), kind, p.defaultValue() == null, null,
          p.defaultValue() == null ? null : p.defaultValue().span().text()));
    }
    return new Signature(b.name().text(), "block", params);
  }

  private SType constType(String name) {
    SType t = constTypes.get(name);
    if (t != null) {
      return t;
    }
    Ast.Const c = consts.get(name);
    if (!constsInProgress.add(name)) {
      d.error(c.name().span(), "constant `" + name + "` is defined in terms of itself", null);
      constTypes.put(name, SType.UNKNOWN);
      return SType.UNKNOWN;
    }
    t = type(c.value(), Context.GLOBAL);
    constsInProgress.remove(name);
    if (t == SType.TENSOR) {
      d.error(c.value().span(), "a constant must be a number, bool, string or list, not a tensor", null);
      t = SType.UNKNOWN;
    }
    constTypes.putIfAbsent(name, t);
    return constTypes.get(name);
  }

  // ---- scopes ----

  /** A name bound in a body: an input, a parameter, an assigned value or a repeat index. */
  private static final class Binding {
    final String name;
    final SType type;
    final Span span;
    final String what;
    boolean used;

    Binding(String name, SType type, Span span, String what) {
      this.name = name;
      this.type = type;
      this.span = span;
      this.what = what;
    }
  }

  /** Where an expression is checked: the global scope (constants, defaults) or a body. */
  private static final class Context {
    static final Context GLOBAL = new Context(null, null, null, Map.of());
    final Context parent;
    final Map<String, Binding> names = new HashMap<>();
    final String block;
    final List<Binding> all;
    /** Names assigned somewhere in the body, with where, for "used before it is assigned". */
    final Map<String, Span> assignedLater;

    Context(Context parent, String block, List<Binding> all, Map<String, Span> assignedLater) {
      this.parent = parent;
      this.block = block;
      this.all = all;
      this.assignedLater = assignedLater;
    }

    boolean global() {
      return all == null;
    }

    Binding lookup(String name) {
      for (Context c = this; c != null; c = c.parent) {
        Binding b = c.names.get(name);
        if (b != null) {
          return b;
        }
      }
      return null;
    }

    void bind(Binding b) {
      names.put(b.name, b);
      all.add(b);
    }

    Context child() {
      return new Context(this, block, all, assignedLater);
    }

    List<String> visibleNames() {
      var out = new ArrayList<String>();
      for (Context c = this; c != null; c = c.parent) {
        out.addAll(c.names.keySet());
      }
      out.sort(null);
      return out;
    }
  }

  // ---- bodies ----

  private void checkBlock(Ast.Block b) {
    var ctx = new Context(null, b.name().text(), new ArrayList<>(), assignments(b.body()));
    Signature sig = blockSignatures.get(b.name().text());
    for (int i = 0; i < b.params().size(); i++) {
      Ast.Param p = b.params().get(i);
      Kind kind = sig.params().get(i).kind();
      SType t = kind == null ? SType.UNKNOWN : paramType(kind);
      if (p.defaultValue() != null && kind != null && kind != Kind.TENSOR) {
        SType dt = type(p.defaultValue(), Context.GLOBAL);
        if (dt != SType.UNKNOWN && !kind.accepts(dt)) {
          d.error(p.defaultValue().span(), "the default of `" + p.name() + "` must be " + kind.withArticle() + ", got "
              + dt.withArticle(), null);
        }
      }
      ctx.bind(new Binding(p.name().text(), t, p.name().span(), "parameter"));
    }
    checkBody(b.body(), ctx, false, "block `" + b.name() + "`");
  }

  private static SType paramType(Kind kind) {
    switch (kind) {
      case TENSOR:
        return SType.TENSOR;
      case INT:
        return SType.INT;
      case INTS:
        return SType.INTS;
      case FLOAT:
        return SType.FLOAT;
      case FLOATS:
        return SType.FLOATS;
      case BOOL:
        return SType.BOOL;
      default:
        return SType.STRING;
    }
  }

  private void checkModel(Ast.Model m) {
    var ctx = new Context(null, null, new ArrayList<>(), assignments(m.body()));
    for (Ast.Input in : m.inputs()) {
      if (ctx.names.containsKey(in.name().text())) {
        d.error(in.name().span(), "input `" + in.name() + "` is already declared", null);
      }
      String et = in.elementType().text();
      if (!et.equals("f32")) {
        var known = new ArrayList<String>();
        for (ElementType e : ElementType.values()) {
          known.add(e.text());
        }
        if (known.contains(et)) {
          d.error(in.elementType().span(), "model inputs must be f32, got " + et, null);
        } else {
          String near = Spelling.didYouMean(et, known);
          d.error(in.elementType().span(), "unknown element type `" + et + "`", near != null ? near : "write f32");
        }
      }
      for (Ast.Expr dim : in.dims()) {
        SType t = type(dim, Context.GLOBAL);
        if (t != SType.INT && t != SType.UNKNOWN) {
          d.error(dim.span(), "a dimension must be an int, got " + t.text(), null);
        }
      }
      ctx.bind(new Binding(in.name().text(), SType.TENSOR, in.name().span(), "input"));
    }
    checkBody(m.body(), ctx, true, "model `" + m.name() + "`");
  }

  private static Map<String, Span> assignments(Ast.Body body) {
    var m = new HashMap<String, Span>();
    for (Ast.Stmt s : body.stmts()) {
      if (s instanceof Ast.Assign a) {
        m.putIfAbsent(a.name().text(), a.name().span());
      }
    }
    return m;
  }

  private void checkBody(Ast.Body body, Context ctx, boolean isModel, String owner) {
    boolean returned = false;
    boolean reportedAfterReturn = false;
    Span weightsAt = null;
    Span initAt = null;
    for (Ast.Stmt s : body.stmts()) {
      if (returned && !reportedAfterReturn) {
        d.error(s.span(), "statement after `return`", "`return` must be the last statement");
        reportedAfterReturn = true;
      }
      if (s instanceof Ast.Weights w) {
        if (!isModel) {
          d.error(w.span(), "`weights` is only allowed in a model", null);
        } else if (weightsAt != null) {
          d.error(w.span(), "`weights` is already given at line " + weightsAt.line(), null);
        } else {
          weightsAt = w.span();
          if (!w.path().endsWith(".npz")) {
            d.error(w.pathSpan(), "a weights file must be an .npz archive, got `" + w.path() + "`",
                "save the weights with numpy.savez");
          }
        }
      } else if (s instanceof Ast.Init init) {
        if (!isModel) {
          d.error(init.span(), "`init` is only allowed in a model", null);
        } else if (initAt != null) {
          d.error(init.span(), "`init` is already given at line " + initAt.line(), null);
        } else {
          initAt = init.span();
        }
        Signature sig = Initializer.SCHEMES.get(init.scheme().text());
        if (sig == null) {
          String near = Spelling.didYouMean(init.scheme().text(), Initializer.SCHEMES.keySet());
          d.error(init.scheme().span(), "unknown initializer `" + init.scheme() + "`",
              near != null ? near : "initializers are " + String.join(", ", Initializer.SCHEMES.keySet()));
        } else {
          checkArgs(sig, ArgBinder.bind(sig, false, init.args(), init.span(), d), ctx);
        }
      } else if (s instanceof Ast.Assign a) {
        SType t = type(a.value(), ctx);
        ctx.bind(new Binding(a.name().text(), t, a.name().span(), "value"));
      } else {
        var r = (Ast.Return) s;
        returned = true;
        for (int i = 0; i < r.values().size(); i++) {
          Ast.Expr e = r.values().get(i);
          SType t = type(e, ctx);
          if (!isModel && i == 1) {
            d.error(e.span(), "a block returns one tensor", null);
          }
          if (t != SType.TENSOR && t != SType.UNKNOWN) {
            d.error(e.span(), (isModel ? "a model returns tensors" : "a block returns a tensor") + ", got " + t.text(),
                null);
          }
        }
      }
    }
    if (!returned) {
      d.error(body.closeBrace(), owner + " has no `return`", "end it with `return <value>`");
    }
    for (Binding b : ctx.all) {
      if (!b.used && !b.name.startsWith("_") && !b.what.equals("index")) {
        d.warning(b.span, b.what + " `" + b.name + "` is never used", "remove it, or start its name with `_`");
      }
    }
  }

  // ---- expressions ----

  private SType type(Ast.Expr e, Context ctx) {
    if (e instanceof Ast.IntLit) {
      return SType.INT;
    }
    if (e instanceof Ast.FloatLit) {
      return SType.FLOAT;
    }
    if (e instanceof Ast.StringLit) {
      return SType.STRING;
    }
    if (e instanceof Ast.BoolLit) {
      return SType.BOOL;
    }
    if (e instanceof Ast.Paren p) {
      return type(p.inner(), ctx);
    }
    if (e instanceof Ast.NameRef n) {
      return nameType(n, ctx);
    }
    if (e instanceof Ast.ListLit l) {
      return listType(l, ctx);
    }
    if (e instanceof Ast.Member m) {
      return memberType(m, ctx);
    }
    if (e instanceof Ast.Index i) {
      return indexType(i, ctx);
    }
    if (e instanceof Ast.Unary u) {
      return unaryType(u, ctx);
    }
    if (e instanceof Ast.Binary b) {
      return binaryType(b, ctx);
    }
    if (e instanceof Ast.If i) {
      return ifType(i, ctx);
    }
    if (e instanceof Ast.Call c) {
      return call(c.span(), c.annotations(), c.callee(), c.args(), false, ctx);
    }
    var p = (Ast.Pipe) e;
    SType in = type(p.input(), ctx);
    if (in != SType.TENSOR && in != SType.UNKNOWN) {
      d.error(p.input().span(), "only tensors can be piped, got " + in.text(), null);
    }
    return stage(p.stage(), ctx);
  }

  private SType nameType(Ast.NameRef n, Context ctx) {
    Binding b = ctx.lookup(n.name());
    if (b != null) {
      b.used = true;
      return b.type;
    }
    if (consts.containsKey(n.name())) {
      return constType(n.name());
    }
    if (Layers.get(n.name()) != null || blocks.containsKey(n.name())) {
      d.error(n.span(), "`" + n.name() + "` is a " + (blocks.containsKey(n.name()) ? "block" : "layer") + ", not a value",
          "call it, as in `" + n.name() + "(x)`, or pipe into it: `x |> " + n.name() + "`");
      return SType.UNKNOWN;
    }
    Span later = ctx.assignedLater.get(n.name());
    if (later != null) {
      d.error(n.span(), "`" + n.name() + "` is used before it is assigned", "it is assigned at line " + later.line());
      return SType.UNKNOWN;
    }
    var candidates = new ArrayList<String>(ctx.global() ? List.of() : ctx.visibleNames());
    candidates.addAll(consts.keySet());
    String near = Spelling.didYouMean(n.name(), candidates);
    d.error(n.span(), "undefined name `" + n.name() + "`", near);
    return SType.UNKNOWN;
  }

  private SType listType(Ast.ListLit l, Context ctx) {
    boolean floats = false;
    boolean unknown = false;
    for (Ast.Expr el : l.elements()) {
      SType t = type(el, ctx);
      if (t == SType.FLOAT) {
        floats = true;
      } else if (t == SType.UNKNOWN) {
        unknown = true;
      } else if (t != SType.INT) {
        d.error(el.span(), "a list holds numbers only, got " + t.text(),
            t == SType.TENSOR ? "pass tensors as separate arguments, as in `concat(a, b)`" : null);
        unknown = true;
      }
    }
    return unknown ? SType.UNKNOWN : floats ? SType.FLOATS : SType.INTS;
  }

  private SType memberType(Ast.Member m, Context ctx) {
    SType t = type(m.target(), ctx);
    if (t == SType.UNKNOWN) {
      return t;
    }
    if (t != SType.TENSOR) {
      d.error(m.member().span(), "`." + m.member() + "` needs a tensor, got " + t.text(), null);
      return SType.UNKNOWN;
    }
    switch (m.member().text()) {
      case "shape":
        return SType.INTS;
      case "rank":
        return SType.INT;
      default:
        String near = Spelling.didYouMean(m.member().text(), List.of("shape", "rank"));
        d.error(m.member().span(), "a tensor has no property `" + m.member() + "`",
            near != null ? near : "a tensor has `shape` and `rank`");
        return SType.UNKNOWN;
    }
  }

  private SType indexType(Ast.Index i, Context ctx) {
    SType t = type(i.target(), ctx);
    SType it = type(i.index(), ctx);
    if (it != SType.INT && it != SType.UNKNOWN) {
      d.error(i.index().span(), "an index must be an int, got " + it.text(), null);
    }
    switch (t) {
      case INTS:
        return SType.INT;
      case FLOATS:
        return SType.FLOAT;
      case UNKNOWN:
        return SType.UNKNOWN;
      case TENSOR:
        d.error(i.target().span(), "a tensor cannot be indexed", "index its shape: `x.shape[i]`");
        return SType.UNKNOWN;
      default:
        d.error(i.target().span(), "cannot index " + article(t), null);
        return SType.UNKNOWN;
    }
  }

  private static String article(SType t) {
    return t.withArticle();
  }

  private SType unaryType(Ast.Unary u, Context ctx) {
    SType t = type(u.operand(), ctx);
    if (t == SType.UNKNOWN) {
      return t;
    }
    if (u.op().equals("-") && (t == SType.INT || t == SType.FLOAT)) {
      return t;
    }
    if (u.op().equals("!") && t == SType.BOOL) {
      return t;
    }
    d.error(u.span(), "`" + u.op() + "` cannot be applied to " + article(t), null);
    return SType.UNKNOWN;
  }

  private static boolean numeric(SType t) {
    return t == SType.INT || t == SType.FLOAT;
  }

  private SType binaryType(Ast.Binary b, Context ctx) {
    SType l = type(b.left(), ctx);
    SType r = type(b.right(), ctx);
    if (l == SType.UNKNOWN || r == SType.UNKNOWN) {
      return SType.UNKNOWN;
    }
    String op = b.op();
    switch (op) {
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
        if (numeric(l) && numeric(r)) {
          if (op.equals("%") && (l != SType.INT || r != SType.INT)) {
            break;
          }
          return l == SType.INT && r == SType.INT ? SType.INT : SType.FLOAT;
        }
        if (op.equals("+") && l == r && (l == SType.INTS || l == SType.FLOATS)) {
          return l;
        }
        if (l == SType.TENSOR || r == SType.TENSOR) {
          String layer = op.equals("+") ? "add" : op.equals("-") ? "sub" : op.equals("*") ? "mul" : "div";
          d.error(b.opSpan(), "`" + op + "` is not defined on tensors",
              op.equals("%") ? null : "use the layer: `" + layer + "(a, b)`");
          return SType.UNKNOWN;
        }
        break;
      case "<":
      case "<=":
      case ">":
      case ">=":
        if (numeric(l) && numeric(r)) {
          return SType.BOOL;
        }
        break;
      case "==":
      case "!=":
        if ((numeric(l) && numeric(r)) || (l == r && l != SType.TENSOR)) {
          return SType.BOOL;
        }
        break;
      default:
        if (l == SType.BOOL && r == SType.BOOL) {
          return SType.BOOL;
        }
        break;
    }
    d.error(b.opSpan(), "`" + op + "` cannot be applied to " + article(l) + " and " + article(r), null);
    return SType.UNKNOWN;
  }

  private SType ifType(Ast.If i, Context ctx) {
    SType c = type(i.condition(), ctx);
    if (c != SType.BOOL && c != SType.UNKNOWN) {
      d.error(i.condition().span(), "the condition of `if` must be a bool, got " + c.text(), null);
    }
    SType a = type(i.then(), ctx);
    SType b = type(i.otherwise(), ctx);
    if (a == SType.UNKNOWN || b == SType.UNKNOWN) {
      return a == SType.UNKNOWN ? b : a;
    }
    if (a == b) {
      return a;
    }
    if (numeric(a) && numeric(b)) {
      return SType.FLOAT;
    }
    if ((a == SType.INTS || a == SType.FLOATS) && (b == SType.INTS || b == SType.FLOATS)) {
      return SType.FLOATS;
    }
    d.error(i.span(), "the branches of `if` have different types: " + a.text() + " and " + b.text(), null);
    return SType.UNKNOWN;
  }

  // ---- calls ----

  private SType stage(Ast.Stage s, Context ctx) {
    if (s instanceof Ast.LayerStage l) {
      return call(l.span(), l.annotations(), l.callee(), l.args(), true, ctx);
    }
    var r = (Ast.RepeatStage) s;
    checkAnnotations(r.annotations(), ctx);
    SType count = type(r.count(), ctx);
    if (count != SType.INT && count != SType.UNKNOWN) {
      d.error(r.count().span(), "the count of `repeat` must be an int, got " + count.text(), null);
    }
    Context inner = ctx.child();
    if (r.index() != null) {
      inner.bind(new Binding(r.index().text(), SType.INT, r.index().span(), "index"));
    }
    for (Ast.Stage st : r.body()) {
      stage(st, inner);
    }
    return SType.TENSOR;
  }

  private SType call(Span span, List<Ast.Annotation> annotations, Ast.Name callee, List<Ast.Arg> args, boolean piped,
      Context ctx) {
    checkAnnotations(annotations, ctx);
    String n = callee.text();
    if (ctx.global()) {
      d.error(callee.span(), "a constant cannot call `" + n + "`", "constants are numbers, bools, strings and lists");
      return SType.UNKNOWN;
    }
    Signature sig;
    if (blocks.containsKey(n)) {
      sig = blockSignatures.get(n);
      if (ctx.block != null) {
        calls.computeIfAbsent(ctx.block, k -> new ArrayList<>()).add(new Edge(n, callee.span()));
      }
    } else if (Layers.get(n) != null) {
      sig = Layers.get(n).signature();
    } else {
      if (allModelNames.contains(n)) {
        d.error(callee.span(), "`" + n + "` is a model and cannot be called", "declare it as a `block` to reuse it");
      } else if (ctx.lookup(n) != null || consts.containsKey(n)) {
        d.error(callee.span(), "`" + n + "` is a value, not a layer", piped ? "a pipeline stage is a layer or block call"
            : null);
      } else {
        var candidates = new ArrayList<String>(Layers.names());
        candidates.addAll(blocks.keySet());
        String near = Spelling.didYouMean(n, candidates);
        d.error(callee.span(), "unknown layer `" + n + "`", near);
      }
      if (args != null) {
        for (Ast.Arg a : args) {
          type(a.value(), ctx);
        }
      }
      return SType.UNKNOWN;
    }
    checkArgs(sig, ArgBinder.bind(sig, piped, args, span, d), ctx);
    return SType.TENSOR;
  }

  /** Types every argument of a binding against its parameter. */
  private void checkArgs(Signature sig, ArgBinder.Binding binding, Context ctx) {
    for (int i = 0; i < sig.params().size(); i++) {
      ParamSpec p = sig.params().get(i);
      for (ArgBinder.Actual a : binding.slot(i)) {
        if (a.piped()) {
          continue;
        }
        if (p.kind() == Kind.SYMBOL && a.expr() instanceof Ast.NameRef) {
          continue;
        }
        SType t = type(a.expr(), ctx);
        if (p.kind() != null && t != SType.UNKNOWN && !p.kind().accepts(t)) {
          d.error(a.expr().span(), "argument `" + p.name() + "` of `" + sig.name() + "` must be "
              + p.kind().withArticle() + ", got " + article(t), null);
        }
      }
    }
  }

  private void checkAnnotations(List<Ast.Annotation> annotations, Context ctx) {
    if (annotations.isEmpty()) {
      return;
    }
    var seen = new HashSet<String>();
    for (Ast.Annotation a : annotations) {
      String n = a.name().text();
      Signature sig = HintAnnotations.ALL.get(n);
      if (sig == null) {
        String near = Spelling.closest(n, HintAnnotations.ALL.keySet());
        d.error(a.name().span(), "unknown annotation `@" + n + "`", near != null ? "did you mean `@" + near + "`?"
            : "annotations are @quant, @duplicate and @digital");
        continue;
      }
      if (!seen.add(n)) {
        d.error(a.span(), "annotation `@" + n + "` is given twice", null);
      }
      ArgBinder.Binding binding = ArgBinder.bind(sig, false, a.args(), a.span(), d);
      checkArgs(sig, binding, ctx);
      for (int i = 0; i < sig.params().size(); i++) {
        for (ArgBinder.Actual actual : binding.slot(i)) {
          HintAnnotations.checkLiteral(n, sig.params().get(i).name(), actual.expr(), d);
        }
      }
    }
  }

  // ---- recursion ----

  private void findRecursion() {
    var state = new HashMap<String, Integer>();
    for (String b : blocks.keySet()) {
      dfs(b, state, new ArrayList<>());
    }
  }

  private void dfs(String b, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(b);
    if (s != null) {
      return;
    }
    state.put(b, 1);
    path.add(b);
    for (Edge e : calls.getOrDefault(b, List.of())) {
      Integer cs = state.get(e.callee());
      if (cs != null && cs == 1) {
        int from = path.indexOf(e.callee());
        var cycle = new ArrayList<>(path.subList(from, path.size()));
        recursiveBlocks.addAll(cycle);
        cycle.add(e.callee());
        var chain = new ArrayList<String>();
        for (String c : cycle) {
          chain.add("`" + c + "`");
        }
        d.error(e.span(), cycle.size() == 2 ? "block `" + b + "` calls itself"
            : "recursive blocks: " + String.join(" → ", chain),
            "a block cannot call itself, directly or through other blocks");
      } else if (cs == null) {
        dfs(e.callee(), state, path);
      }
    }
    path.remove(path.size() - 1);
    state.put(b, 2);
  }
}
