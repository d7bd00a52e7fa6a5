package dev.cimc.ir.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.transform.Canonicalize;
import dev.cimc.ir.transform.DeadCodeElimination;
import dev.cimc.ir.transform.FoldConstants;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PassRegistryTest {
  @Test
  void standardRegistryHoldsTheTransformPasses() {
    PassRegistry r = PassRegistry.standard();
    // other packages register passes too; the transform passes must be among them
    assertTrue(r.names().containsAll(List.of("bias-absorption", "canonicalize", "cross-layer-equalization", "cse",
        "dce", "fold-batch-norm", "fold-constants", "fuse")), r.names().toString());
    assertSame(r, PassRegistry.standard());
    assertEquals("DeadCodeElimination", r.get("dce").displayName());
    assertEquals("FoldConstants", r.get("fold-constants").displayName());
    assertEquals("Canonicalize", r.get("canonicalize").displayName());
    assertEquals(List.of("fold-batch-norm"), r.get("cross-layer-equalization").preconditions());
    assertEquals(List.of("fold-batch-norm"), r.get("bias-absorption").preconditions());
  }

  @Test
  void listingShowsOptionsTypesDefaultsAndStatistics() {
    assertEquals("""
        canonicalize (Canonicalize)
          apply op folders and canonicalization patterns and erase dead pure nodes, to a fixpoint
          options:
            max-iterations=10      int >= 1: sweeps over the graph before giving up on reaching a fixpoint
            fold-shape-limit=4096  int >= 0: evaluate constant-operand nodes with integer or bool results of at most this many elements
            cse=true               bool: merge common subexpressions after each sweep
          statistics:
            folds-applied          nodes replaced by the value an op folder returned
            patterns-applied       canonicalization patterns applied
            nodes-erased           dead pure nodes erased
            shape-nodes-folded     integer (shape) nodes evaluated into constants
            nodes-merged           common subexpressions merged

        dce (DeadCodeElimination)
          erase pure nodes whose results are unused
          statistics:
            nodes-erased  pure nodes erased because their results were unused

        fold-constants (FoldConstants)
          evaluate pure nodes whose operands are all constants, replacing them by constants
          options:
            max-elements=16777216  int >= 0: leave nodes unfolded if a result has more elements than this
          statistics:
            nodes-folded           nodes replaced by constants
        """, PassRegistry.of(List.of(Canonicalize.DEF, DeadCodeElimination.DEF, FoldConstants.DEF)).listing());
  }

  @Test
  void listingShowsEveryOptionTypeAndPreconditions() {
    assertEquals("""
        option-zoo (OptionZoo)
          test pass option-zoo
          options:
            count=3              int in [0, 100]: an int in [0, 100]
            enabled=true         bool: a bool
            ratio=0.5            double: a double
            label="hello world"  string: a string
            mode=fast            one of fast|exact: an enum
        """, TestPasses.OPTION_ZOO.describe());
    assertEquals("""
        needs-dce (NeedsDce)
          test pass needs-dce
          requires: dce
        """, TestPasses.NEEDS_DCE.describe());
  }

  @Test
  void unknownNamesAreUserErrorsWithHints() {
    var e = assertThrows(CimcException.class, () -> PassRegistry.standard().get("canonicalise"));
    assertEquals("error: unknown pass 'canonicalise'\nhint: did you mean 'canonicalize'?", e.render());
    var e2 = assertThrows(CimcException.class, () -> PassRegistry.standard().create("dce", Map.of("x", "1")));
    assertEquals("error: unknown option 'x' of pass 'dce'\nhint: pass 'dce' takes no options", e2.render());
  }

  @Test
  void createParsesTextualOptions() {
    Pass p = PassRegistry.standard().create("fold-constants", Map.of("max-elements", "12"));
    assertEquals(12L, p.options().getLong("max-elements"));
    assertEquals("fold-constants{max-elements=12}", p.toString());
    assertEquals(p, PassRegistry.standard().get("fold-constants").create().def()
        .create(p.def().defaultOptions().with("max-elements", 12)));
  }

  @Test
  void withExtendsWithoutTouchingTheOriginal() {
    PassRegistry r = PassRegistry.standard().with(TestPasses.NOOP);
    assertTrue(r.lookup("noop").isPresent());
    assertTrue(PassRegistry.standard().lookup("noop").isEmpty());
  }

  @Test
  void registryRejectsDuplicatesAndUnknownPreconditions() {
    var dup = assertThrows(IllegalArgumentException.class, () -> PassRegistry.standard().with(TestPasses.NOOP,
        TestPasses.NOOP));
    assertEquals("pass 'noop' registered twice", dup.getMessage());
    var missing = assertThrows(IllegalArgumentException.class, () -> PassRegistry.of(List.of(TestPasses.NEEDS_DCE)));
    assertEquals("pass 'needs-dce' requires 'dce', which is not registered", missing.getMessage());
  }

  @Test
  void definitionsCheckTheirNames() {
    assertThrows(IllegalArgumentException.class, () -> PassDef.builder("DCE", "Dce"));
    assertThrows(IllegalArgumentException.class, () -> PassDef.builder("dce", "dead-code"));
    assertThrows(IllegalArgumentException.class, () -> PassOption.intOption("maxIt", 1, ""));
    assertThrows(IllegalArgumentException.class, () -> PassOption.intOption("n", 0, 1, 5, ""));
    assertThrows(IllegalArgumentException.class, () -> PassOption.enumOption("m", "c", List.of("a", "b"), ""));
    assertThrows(IllegalArgumentException.class,
        () -> PassDef.builder("p", "P").statistic("n", "").statistic("n", ""));
  }

  @Test
  void optionsAreTypedAndImmutable() {
    PassOptions o = TestPasses.OPTION_ZOO.defaultOptions();
    PassOptions changed = o.with("count", 7).with("mode", "exact").with("ratio", 2.0);
    assertEquals(3, o.getInt("count"));
    assertEquals(7, changed.getInt("count"));
    assertEquals("count=7 enabled=true ratio=2.0 label=\"hello world\" mode=exact", changed.toText());
    assertEquals(Map.of("count", 7L, "enabled", true, "ratio", 2.0, "label", "hello world", "mode", "exact"),
        changed.asMap());
    var bound = assertThrows(IllegalArgumentException.class, () -> o.with("count", 1000));
    assertEquals("option 'count' of pass 'option-zoo' must be at most 100, got 1000", bound.getMessage());
    assertThrows(IllegalArgumentException.class, () -> o.with("mode", "slow"));
    assertThrows(IllegalArgumentException.class, () -> o.with("enabled", "yes"));
    assertThrows(IllegalArgumentException.class, () -> o.with("nope", 1));
    assertThrows(IllegalStateException.class, () -> o.getBool("count"));
    assertThrows(IllegalStateException.class, () -> o.getString("ratio"));
  }

  @Test
  void statisticsMustBeDeclared() {
    Pass count = TestPasses.COUNT.create();
    var ctx = new PassContext(count, dev.cimc.ir.dialect.Dialects.standard());
    ctx.add("nodes-seen", 5);
    ctx.increment("runs");
    assertEquals(Map.of("nodes-seen", 5L, "runs", 1L), ctx.statistics());
    assertEquals(List.of("nodes-seen", "runs"), List.copyOf(ctx.statistics().keySet()));
    var e = assertThrows(IllegalArgumentException.class, () -> ctx.increment("bogus"));
    assertEquals("pass 'count' declares no statistic 'bogus'", e.getMessage());
  }
}
