package dev.cimc.frontend.dsl;

import java.util.List;

/**
 * The syntax tree of a {@code .cim} file, built from the ANTLR parse tree by {@link AstBuilder}. Every
 * node keeps its {@link Span}; lists are immutable. Checker, lowering and formatter all read this tree.
 */
final class Ast {
  private Ast() {}

  /** A parsed file. */
  record Program(SourceFile source, List<Item> items) {}

  /** An identifier with its place in the source. */
  record Name(String text, Span span) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** A top-level declaration. */
  sealed interface Item permits Import, Const, Block, Model {
    Span span();
  }

  /** {@code import "path.cim"}. */
  record Import(Span span, String path, Span pathSpan, String literal) implements Item {}

  /** {@code const NAME = expr}. */
  record Const(Span span, Name name, Expr value) implements Item {}

  /** {@code block name(params) { body }}. */
  record Block(Span span, Name name, List<Param> params, Body body) implements Item {}

  /** A block parameter: {@code x}, {@code width: int}, {@code stride: int = 1}; a missing type means tensor. */
  record Param(Span span, Name name, Name type, Expr defaultValue) {}

  /** {@code model name(inputs) { body }}. */
  record Model(Span span, Name name, List<Input> inputs, Body body) implements Item {}

  /** A model input {@code x: f32[1, 3, 224, 224]}. */
  record Input(Span span, Name name, Name elementType, List<Expr> dims, Span typeSpan) {}

  /** The statements between braces, with the closing brace's span (where a missing return is reported). */
  record Body(Span span, List<Stmt> stmts, Span closeBrace) {}

  /** A statement. */
  sealed interface Stmt permits Weights, Init, Assign, Return {
    Span span();
  }

  /** {@code weights "file.npz"}. */
  record Weights(Span span, String path, Span pathSpan, String literal) implements Stmt {}

  /** {@code init he_normal(seed=7)}; {@code args} is null when written without parentheses. */
  record Init(Span span, Name scheme, List<Arg> args) implements Stmt {}

  /** {@code name = expr}. */
  record Assign(Span span, Name name, Expr value) implements Stmt {}

  /** {@code return a, b}. */
  record Return(Span span, List<Expr> values) implements Stmt {}

  /** An expression. */
  sealed interface Expr permits Member, Index, Unary, Binary, Pipe, Call, NameRef, IntLit, FloatLit, StringLit,
      BoolLit, ListLit, Paren, If {
    Span span();
  }

  /** {@code x.shape}, {@code x.rank}. */
  record Member(Span span, Expr target, Name member) implements Expr {}

  /** {@code xs[i]}. */
  record Index(Span span, Expr target, Expr index) implements Expr {}

  /** {@code -x}, {@code !b}. */
  record Unary(Span span, String op, Expr operand) implements Expr {}

  /** {@code a op b} for arithmetic, comparison and logic. */
  record Binary(Span span, String op, Span opSpan, Expr left, Expr right) implements Expr {}

  /** {@code input |> stage}. */
  record Pipe(Span span, Expr input, Stage stage) implements Expr {}

  /** A layer or block call in expression position: {@code @digital add(a, b) as sum}. */
  record Call(Span span, List<Annotation> annotations, Name callee, List<Arg> args, Name alias) implements Expr {}

  /** A reference to a value, parameter or constant. */
  record NameRef(Span span, String name) implements Expr {}

  /** An integer literal. */
  record IntLit(Span span, long value, String text) implements Expr {}

  /** A float literal. */
  record FloatLit(Span span, double value, String text) implements Expr {}

  /** A string literal ({@code value} unescaped, {@code text} as written). */
  record StringLit(Span span, String value, String text) implements Expr {}

  /** {@code true} or {@code false}. */
  record BoolLit(Span span, boolean value) implements Expr {}

  /** {@code [a, b, c]}. */
  record ListLit(Span span, List<Expr> elements) implements Expr {}

  /** {@code (expr)}, kept so the formatter prints what was written. */
  record Paren(Span span, Expr inner) implements Expr {}

  /** {@code if c { a } else { b }}; {@code otherwise} is another {@code If} for {@code else if}. */
  record If(Span span, Expr condition, Expr then, Expr otherwise) implements Expr {}

  /** One step of a pipeline. */
  sealed interface Stage permits LayerStage, RepeatStage {
    Span span();

    List<Annotation> annotations();

    Name alias();
  }

  /** {@code |> conv2d(64, kernel=3) as conv1}; {@code args} is null for a bare name ({@code |> relu}). */
  record LayerStage(Span span, List<Annotation> annotations, Name callee, List<Arg> args, Name alias)
      implements Stage {}

  /** {@code |> repeat 2 as i { stage |> stage } as layer1}; {@code index} may be null. */
  record RepeatStage(Span span, List<Annotation> annotations, Expr count, Name index, List<Stage> body, Name alias)
      implements Stage {}

  /** {@code @quant(w=4, a=8)}; {@code args} is null when written without parentheses. */
  record Annotation(Span span, Name name, List<Arg> args) {}

  /** A call argument, named ({@code kernel=3}) or positional ({@code name} null). */
  record Arg(Span span, Name name, Expr value) {}
}
