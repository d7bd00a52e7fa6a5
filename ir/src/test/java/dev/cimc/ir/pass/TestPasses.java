package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import dev.cimc.ir.graph.Graph;
import dev.cimc.ir.graph.Node;
import java.util.List;
import java.util.function.BiPredicate;

/** Passes that exist only for tests of the infrastructure. */
final class TestPasses {
  private TestPasses() {}

  /** A pass whose body is a lambda. */
  static final class LambdaPass extends Pass {
    private final BiPredicate<Graph, PassContext> body;

    LambdaPass(PassDef def, PassOptions options, BiPredicate<Graph, PassContext> body) {
      super(def, options);
      this.body = body;
    }

    @Override
    public boolean run(Graph graph, PassContext context) {
      return body.test(graph, context);
    }
  }

  static PassDef.Builder def(String name, String display, BiPredicate<Graph, PassContext> body) {
    return PassDef.builder(name, display).summary("test pass " + name)
        .factory(o -> new LambdaPass(o.def(), o, body));
  }

  /** Requires dce to have run first. */
  static final PassDef NEEDS_DCE = def("needs-dce", "NeedsDce", (g, c) -> false)
      .requires("dce").build();

  /** One option of every type. */
  static final PassDef OPTION_ZOO = def("option-zoo", "OptionZoo", (g, c) -> false)
      .option(PassOption.intOption("count", 3, 0, 100, "an int in [0, 100]"))
      .option(PassOption.boolOption("enabled", true, "a bool"))
      .option(PassOption.doubleOption("ratio", 0.5, "a double"))
      .option(PassOption.stringOption("label", "hello world", "a string"))
      .option(PassOption.enumOption("mode", "fast", List.of("fast", "exact"), "an enum"))
      .build();

  /** Moves the last node to the front: breaks def-before-use. */
  static final PassDef BREAK_ORDER = def("break-order", "BreakOrder", (g, c) -> {
    g.moveBefore(g.last(), g.first());
    return true;
  }).build();

  /** Fails on the first graph.div node. */
  static final PassDef FAIL_ON_DIV = def("fail-on-div", "FailOnDiv", (g, c) -> {
    for (Node n : g.nodes()) {
      if (n.op().fullName().equals("graph.div")) {
        throw new PassFailure(n, "division is not supported here", "rewrite the division");
      }
    }
    return false;
  }).build();

  /** Throws a plain CimcException with a location. */
  static final PassDef THROW_CIMC = def("throw-cimc", "ThrowCimc", (g, c) -> {
    throw new CimcException(Location.file("m.cir", 2, 7), "something is off", null);
  }).build();

  /** A bug: throws an unchecked non-Cimc exception. */
  static final PassDef CRASH = def("crash", "Crash", (g, c) -> {
    throw new ArithmeticException("/ by zero");
  }).build();

  /** Changes nothing and says so. */
  static final PassDef NOOP = def("noop", "Noop", (g, c) -> false).build();

  /** Renames the graph but claims it changed nothing: the fingerprint must catch it. */
  static final PassDef SILENT_RENAME = def("silent-rename", "SilentRename", (g, c) -> {
    g.setName(g.name() + "_renamed");
    return false;
  }).build();

  /** Claims a change it did not make: the fingerprint must see through it. */
  static final PassDef CLAIM_CHANGE = def("claim-change", "ClaimChange", (g, c) -> true).build();

  /** Gives the value %s a type its node does not infer, leaving op, operands and attributes alone. */
  static final PassDef RETYPE = def("retype", "Retype", (g, c) -> {
    g.value("s").setType(dev.cimc.ir.type.TensorType.f32(3));
    return true;
  }).build();

  /** Counts nodes into a statistic. */
  static final PassDef COUNT = def("count", "Count", (g, c) -> {
    c.add("nodes-seen", g.size());
    c.increment("runs");
    return false;
  }).statistic("nodes-seen", "nodes in the graph").statistic("runs", "times run").build();

  /** The standard passes plus every test pass. */
  static PassRegistry registry() {
    return PassRegistry.standard().with(NEEDS_DCE, OPTION_ZOO, BREAK_ORDER, FAIL_ON_DIV, THROW_CIMC, CRASH, NOOP,
        SILENT_RENAME, CLAIM_CHANGE, COUNT, RETYPE);
  }
}
