package dev.cimc.ir.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cimc.ir.diag.CimcException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassPipelineTest {
  private static final PassRegistry REGISTRY = TestPasses.registry();

  private static PassPipeline parse(String text) {
    return PassPipeline.parse(text, REGISTRY);
  }

  private static String error(String text) {
    return assertThrows(CimcException.class, () -> parse(text)).render();
  }

  @Test
  void parsesPassesAndOptions() {
    PassPipeline p = parse("canonicalize,fold-constants{max-elements=1000000},dce");
    assertEquals(List.of("canonicalize", "fold-constants", "dce"), p.passes().stream().map(Pass::name).toList());
    assertEquals(1_000_000L, p.passes().get(1).options().getLong("max-elements"));
    assertEquals(10L, p.passes().get(0).options().getLong("max-iterations"));
    assertEquals("canonicalize{max-iterations=10 fold-shape-limit=4096 cse=true},fold-constants{max-elements=1000000},dce",
        p.toString());
  }

  @Test
  void optionsMaySeparateBySpacesOrCommasAndQuote() {
    PassPipeline p = parse("option-zoo{count=5 enabled=false,ratio=2.5e-3, label=\"a b\"   mode=exact}");
    PassOptions o = p.passes().get(0).options();
    assertEquals(5, o.getInt("count"));
    assertFalse(o.getBool("enabled"));
    assertEquals(0.0025, o.getDouble("ratio"));
    assertEquals("a b", o.getString("label"));
    assertEquals("exact", o.getString("mode"));
    assertEquals("option-zoo{count=5 enabled=false ratio=0.0025 label=\"a b\" mode=exact}", p.toString());
  }

  @Test
  void whitespaceAroundTokensIsIgnored() {
    PassPipeline p = parse("  dce ,\n canonicalize { max-iterations = 3 } ,fold-constants{} ");
    assertEquals("dce,canonicalize{max-iterations=3 fold-shape-limit=4096 cse=true},fold-constants{max-elements=16777216}",
        p.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n"})
  void blankTextIsTheEmptyPipeline(String text) {
    PassPipeline p = parse(text);
    assertTrue(p.isEmpty());
    assertEquals("", p.toString());
    assertEquals(PassPipeline.empty(), p);
  }

  @Test
  void defaultsPrintExplicitly() {
    assertEquals("option-zoo{count=3 enabled=true ratio=0.5 label=\"hello world\" mode=fast}",
        parse("option-zoo").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "canonicalize,fold-constants{max-elements=1000000},dce",
      "dce,dce,canonicalize{max-iterations=1}",
      "option-zoo{label=\"say \\\"hi\\\"\\\\ \\n\\tend\"}",
      "option-zoo{label=\"\" ratio=1e300 count=0 mode=exact enabled=false}",
      "option-zoo{ratio=-.5}",
      "dce,needs-dce",
      ""})
  void toStringParsesBackToAnEqualPipeline(String text) {
    PassPipeline p = parse(text);
    PassPipeline again = parse(p.toString());
    assertEquals(p, again);
    assertEquals(p.hashCode(), again.hashCode());
    assertEquals(p.toString(), again.toString());
  }

  @Test
  void quotedStringsKeepEscapes() {
    PassPipeline p = parse("option-zoo{label=\"say \\\"hi\\\"\\\\ \\n\\tend\"}");
    assertEquals("say \"hi\"\\ \n\tend", p.passes().get(0).options().getString("label"));
  }

  @Test
  void unknownPassSuggestsTheNearestName() {
    assertEquals("""
        pipeline:1:14: error: unknown pass 'dcee'
        canonicalize,dcee
                     ^
        hint: did you mean 'dce'?""", error("canonicalize,dcee"));
  }

  @Test
  void unknownPassWithoutNearName() {
    assertEquals("""
        pipeline:1:1: error: unknown pass 'frobnicate'
        frobnicate
        ^
        hint: run 'cimc passes' to list the passes""", error("frobnicate"));
  }

  @Test
  void errorsOnLaterLinesCountLinesAndColumns() {
    assertEquals("""
        pipeline:2:3: error: unknown pass 'dcee'
          dcee
          ^
        hint: did you mean 'dce'?""", error("dce,\n  dcee"));
  }

  @Test
  void sourceNameIsConfigurable() {
    var e = assertThrows(CimcException.class, () -> PassPipeline.parse("--pipeline", "dcee", REGISTRY));
    assertEquals("--pipeline:1:1", e.location().toString());
  }

  @Test
  void unknownOptionSuggestsTheNearestOption() {
    assertEquals("""
        pipeline:1:16: error: unknown option 'max-elemnts' of pass 'fold-constants'
        fold-constants{max-elemnts=3}
                       ^
        hint: did you mean 'max-elements'?""", error("fold-constants{max-elemnts=3}"));
  }

  @Test
  void unknownOptionListsTheOptions() {
    assertEquals("""
        pipeline:1:16: error: unknown option 'size' of pass 'fold-constants'
        fold-constants{size=3}
                       ^
        hint: the options of 'fold-constants' are: max-elements""", error("fold-constants{size=3}"));
  }

  @Test
  void optionOfAPassWithoutOptions() {
    assertEquals("""
        pipeline:1:5: error: unknown option 'x' of pass 'dce'
        dce{x=1}
            ^
        hint: pass 'dce' takes no options""", error("dce{x=1}"));
  }

  @Test
  void badIntValue() {
    assertEquals("""
        pipeline:1:29: error: option 'max-elements' of pass 'fold-constants' expects an int, got 'lots'
        fold-constants{max-elements=lots}
                                    ^""", error("fold-constants{max-elements=lots}"));
  }

  @Test
  void intOutOfRange() {
    assertEquals("""
        pipeline:1:29: error: option 'max-iterations' of pass 'canonicalize' must be at least 1, got 0
        canonicalize{max-iterations=0}
                                    ^""", error("canonicalize{max-iterations=0}"));
    assertEquals("option 'count' of pass 'option-zoo' must be at most 100, got 101",
        assertThrows(CimcException.class, () -> parse("option-zoo{count=101}")).getMessage());
    assertEquals("option 'count' of pass 'option-zoo' expects an int, got '99999999999999999999'",
        assertThrows(CimcException.class, () -> parse("option-zoo{count=99999999999999999999}")).getMessage());
  }

  @Test
  void badBoolDoubleAndEnumValues() {
    assertEquals("""
        pipeline:1:20: error: option 'enabled' of pass 'option-zoo' expects a bool (true or false), got 'yes'
        option-zoo{enabled=yes}
                           ^""", error("option-zoo{enabled=yes}"));
    assertEquals("""
        pipeline:1:18: error: option 'ratio' of pass 'option-zoo' expects a double, got 'abc'
        option-zoo{ratio=abc}
                         ^""", error("option-zoo{ratio=abc}"));
    assertEquals("""
        pipeline:1:17: error: option 'mode' of pass 'option-zoo' must be one of: fast, exact; got 'slow'
        option-zoo{mode=slow}
                        ^""", error("option-zoo{mode=slow}"));
  }

  @Test
  void unbalancedOpenBrace() {
    assertEquals("""
        pipeline:1:19: error: unbalanced '{': missing '}'
        dce,fold-constants{max-elements=3
                          ^""", error("dce,fold-constants{max-elements=3"));
  }

  @Test
  void unbalancedCloseBrace() {
    assertEquals("""
        pipeline:1:4: error: unbalanced '}'
        dce}
           ^""", error("dce}"));
    assertEquals("""
        pipeline:1:5: error: unbalanced '}'
        dce,}
            ^""", error("dce,}"));
  }

  @Test
  void missingEqualsAndValue() {
    assertEquals("""
        pipeline:1:28: error: expected '=' after option 'max-elements'
        fold-constants{max-elements}
                                   ^""", error("fold-constants{max-elements}"));
    assertEquals("""
        pipeline:1:29: error: expected a value for option 'max-elements', got '}'
        fold-constants{max-elements=}
                                    ^""", error("fold-constants{max-elements=}"));
    assertEquals("""
        pipeline:1:16: error: expected an option name, got '='
        fold-constants{=3}
                       ^""", error("fold-constants{=3}"));
  }

  @Test
  void missingPassNames() {
    assertEquals("""
        pipeline:1:5: error: expected a pass name at the end of the pipeline
        dce,
            ^""", error("dce,"));
    assertEquals("""
        pipeline:1:5: error: expected a pass name, got ','
        dce,,dce
            ^""", error("dce,,dce"));
    assertEquals("""
        pipeline:1:5: error: expected ',' between passes, got 'c'
        dce canonicalize
            ^""", error("dce canonicalize"));
  }

  @Test
  void duplicateOption() {
    assertEquals("""
        pipeline:1:31: error: option 'max-elements' of pass 'fold-constants' is given twice
        fold-constants{max-elements=1 max-elements=2}
                                      ^""", error("fold-constants{max-elements=1 max-elements=2}"));
  }

  @Test
  void unterminatedAndBadlyEscapedStrings() {
    assertEquals("""
        pipeline:1:18: error: unterminated string
        option-zoo{label="abc}
                         ^""", error("option-zoo{label=\"abc}"));
    assertEquals("""
        pipeline:1:19: error: unknown escape '\\q' in string
        option-zoo{label="\\q"}
                          ^
        hint: use \\", \\\\, \\n or \\t""", error("option-zoo{label=\"\\q\"}"));
  }

  @Test
  void preconditionsAreCheckedWhenParsing() {
    assertEquals("""
        pipeline:1:1: error: pass 'needs-dce' requires 'dce' to run before it
        needs-dce,dce
        ^
        hint: add 'dce' earlier in the pipeline""", error("needs-dce,dce"));
    assertEquals(2, parse("dce,needs-dce").size());
  }

  @Test
  void preconditionsAreCheckedWhenBuilding() {
    Pass needs = TestPasses.NEEDS_DCE.create();
    var e = assertThrows(CimcException.class, () -> PassPipeline.of(needs));
    assertEquals("""
        error: pass 'needs-dce' requires 'dce' to run before it
        hint: add 'dce' earlier in the pipeline""", e.render());
    PassPipeline ok = PassPipeline.of(REGISTRY.get("dce").create()).then(needs);
    assertEquals("dce,needs-dce", ok.toString());
    assertThrows(CimcException.class, () -> PassPipeline.empty().then(needs));
  }
}
