package dev.cimc.frontend.dsl;

import dev.cimc.frontend.dsl.CimParser.AnnotationContext;
import dev.cimc.frontend.dsl.CimParser.ArgContext;
import dev.cimc.frontend.dsl.CimParser.ArgListContext;
import dev.cimc.frontend.dsl.CimParser.ExprContext;
import dev.cimc.frontend.dsl.CimParser.StageContext;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Builds the {@link Ast} from an error-free parse tree; bad literals (an integer too large) are reported. */
final class AstBuilder {
  private final SourceFile source;
  private final Diagnostics diagnostics;

  AstBuilder(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  static Span span(SourceFile source, Token t) {
    int line = t.getLine();
    int col = t.getCharPositionInLine() + 1;
    if (t.getType() == Token.EOF) {
      return new Span(source, line, col, line, col + 1, t.getTokenIndex(), t.getTokenIndex());
    }
    if (t.getType() == CimLexer.BLOCK_COMMENT || t.getType() == CimLexer.BAD_COMMENT) {
      String text = t.getText();
      int nl = text.lastIndexOf('\n');
      if (nl >= 0) {
        int endLine = line + (int) text.chars().filter(c -> c == '\n').count();
        return new Span(source, line, col, endLine, text.length() - nl, t.getTokenIndex(), t.getTokenIndex());
      }
    }
    // Other tokens hold no line break; char stream indexes count code points, as columns do.
    int len = t.getStopIndex() - t.getStartIndex() + 1;
    return new Span(source, line, col, line, col + len, t.getTokenIndex(), t.getTokenIndex());
  }

  private Span span(Token t) {
    return span(source, t);
  }

  private Span span(ParserRuleContext ctx) {
    Token start = ctx.start;
    Token stop = ctx.stop != null && ctx.stop.getTokenIndex() >= start.getTokenIndex() ? ctx.stop : start;
    if (stop.getType() == Token.EOF || stop.getType() == CimLexer.BLOCK_COMMENT) {
      return Span.cover(span(start), span(stop));
    }
    // Tokens of a rule hold no line break (strings cannot span lines), so the end is the stop token's end.
    return new Span(source, start.getLine(), start.getCharPositionInLine() + 1, stop.getLine(),
        stop.getCharPositionInLine() + 1 + stop.getStopIndex() - stop.getStartIndex() + 1, start.getTokenIndex(),
        stop.getTokenIndex());
  }

  private Ast.Name name(TerminalNode id) {
    return new Ast.Name(id.getText(), span(id.getSymbol()));
  }

  Ast.Program program(CimParser.ProgramContext ctx) {
    var items = new ArrayList<Ast.Item>();
    for (var item : ctx.item()) {
      items.add(item(item));
    }
    return new Ast.Program(source, List.copyOf(items));
  }

  private Ast.Item item(CimParser.ItemContext ctx) {
    if (ctx.importDecl() != null) {
      var c = ctx.importDecl();
      return new Ast.Import(span(c), unquote(c.STRING().getSymbol()), span(c.STRING().getSymbol()), c.STRING().getText());
    }
    if (ctx.constDecl() != null) {
      var c = ctx.constDecl();
      return new Ast.Const(span(c), name(c.ID()), expr(c.expr()));
    }
    if (ctx.blockDecl() != null) {
      var c = ctx.blockDecl();
      var params = new ArrayList<Ast.Param>();
      for (var p : c.param()) {
        params.add(new Ast.Param(span(p), name(p.ID(0)), p.ID().size() > 1 ? name(p.ID(1)) : null,
            p.expr() != null ? expr(p.expr()) : null));
      }
      return new Ast.Block(span(c), name(c.ID()), List.copyOf(params), body(c.body()));
    }
    var c = ctx.modelDecl();
    var inputs = new ArrayList<Ast.Input>();
    for (var in : c.input()) {
      var dims = new ArrayList<Ast.Expr>();
      for (var d : in.expr()) {
        dims.add(expr(d));
      }
      Span typeSpan = Span.cover(span(in.ID(1).getSymbol()), span(in.RBRACK().getSymbol()));
      inputs.add(new Ast.Input(span(in), name(in.ID(0)), name(in.ID(1)), List.copyOf(dims), typeSpan));
    }
    return new Ast.Model(span(c), name(c.ID()), List.copyOf(inputs), body(c.body()));
  }

  private Ast.Body body(CimParser.BodyContext ctx) {
    var stmts = new ArrayList<Ast.Stmt>();
    for (var s : ctx.stmt()) {
      stmts.add(stmt(s));
    }
    return new Ast.Body(span(ctx), List.copyOf(stmts), span(ctx.RBRACE().getSymbol()));
  }

  private Ast.Stmt stmt(CimParser.StmtContext ctx) {
    if (ctx instanceof CimParser.WeightsStmtContext w) {
      return new Ast.Weights(span(w), unquote(w.STRING().getSymbol()), span(w.STRING().getSymbol()), w.STRING().getText());
    }
    if (ctx instanceof CimParser.InitStmtContext i) {
      return new Ast.Init(span(i), name(i.ID()), i.LPAREN() == null ? null : args(i.argList()));
    }
    if (ctx instanceof CimParser.AssignStmtContext a) {
      return new Ast.Assign(span(a), name(a.ID()), expr(a.expr()));
    }
    var r = (CimParser.ReturnStmtContext) ctx;
    var values = new ArrayList<Ast.Expr>();
    for (var e : r.expr()) {
      values.add(expr(e));
    }
    return new Ast.Return(span(r), List.copyOf(values));
  }

  private List<Ast.Arg> args(ArgListContext ctx) {
    if (ctx == null) {
      return List.of();
    }
    var out = new ArrayList<Ast.Arg>();
    for (ArgContext a : ctx.arg()) {
      out.add(new Ast.Arg(span(a), a.ID() != null ? name(a.ID()) : null, expr(a.expr())));
    }
    return List.copyOf(out);
  }

  private List<Ast.Annotation> annotations(List<AnnotationContext> ctxs) {
    if (ctxs.isEmpty()) {
      return List.of();
    }
    var out = new ArrayList<Ast.Annotation>();
    for (var a : ctxs) {
      out.add(new Ast.Annotation(span(a), name(a.ID()), a.LPAREN() == null ? null : args(a.argList())));
    }
    return List.copyOf(out);
  }

  Ast.Expr expr(ExprContext ctx) {
    Span s = span(ctx);
    if (ctx instanceof CimParser.MemberExprContext m) {
      return new Ast.Member(s, expr(m.expr()), name(m.ID()));
    }
    if (ctx instanceof CimParser.IndexExprContext i) {
      return new Ast.Index(s, expr(i.expr(0)), expr(i.expr(1)));
    }
    if (ctx instanceof CimParser.UnaryExprContext u) {
      return new Ast.Unary(s, u.op.getText(), expr(u.expr()));
    }
    if (ctx instanceof CimParser.BinaryExprContext b) {
      return new Ast.Binary(s, b.op.getText(), span(b.op), expr(b.expr(0)), expr(b.expr(1)));
    }
    if (ctx instanceof CimParser.PipeExprContext p) {
      return new Ast.Pipe(s, expr(p.expr()), stage(p.stage()));
    }
    if (ctx instanceof CimParser.CallExprContext c) {
      return new Ast.Call(s, annotations(c.annotation()), name(c.ID()), args(c.argList()), alias(c.alias()));
    }
    if (ctx instanceof CimParser.NameExprContext n) {
      return new Ast.NameRef(s, n.ID().getText());
    }
    if (ctx instanceof CimParser.IntExprContext i) {
      String text = i.INT().getText();
      long v = 0;
      try {
        v = Long.parseLong(text);
      } catch (NumberFormatException e) {
        diagnostics.error(s, "integer `" + text + "` is too large", "integers are 64-bit");
      }
      return new Ast.IntLit(s, v, text);
    }
    if (ctx instanceof CimParser.FloatExprContext f) {
      String text = f.FLOAT().getText();
      double v = Double.parseDouble(text);
      if (Double.isInfinite(v)) {
        diagnostics.error(s, "number `" + text + "` is too large", null);
      }
      return new Ast.FloatLit(s, v, text);
    }
    if (ctx instanceof CimParser.StringExprContext str) {
      return new Ast.StringLit(s, unquote(str.STRING().getSymbol()), str.STRING().getText());
    }
    if (ctx instanceof CimParser.BoolExprContext b) {
      return new Ast.BoolLit(s, b.TRUE() != null);
    }
    if (ctx instanceof CimParser.ListExprContext l) {
      var elems = new ArrayList<Ast.Expr>();
      for (var e : l.expr()) {
        elems.add(expr(e));
      }
      return new Ast.ListLit(s, List.copyOf(elems));
    }
    if (ctx instanceof CimParser.ParenExprContext p) {
      return new Ast.Paren(s, expr(p.expr()));
    }
    return ifExpr(((CimParser.ConditionalExprContext) ctx).ifExpr());
  }

  private Ast.If ifExpr(CimParser.IfExprContext c) {
    Ast.Expr otherwise = c.ifExpr() != null ? ifExpr(c.ifExpr()) : expr(c.expr(2));
    return new Ast.If(span(c), expr(c.expr(0)), expr(c.expr(1)), otherwise);
  }

  private Ast.Stage stage(StageContext ctx) {
    Span s = span(ctx);
    if (ctx instanceof CimParser.LayerStageContext l) {
      return new Ast.LayerStage(s, annotations(l.annotation()), name(l.ID()),
          l.LPAREN() == null ? null : args(l.argList()), alias(l.alias()));
    }
    var r = (CimParser.RepeatStageContext) ctx;
    var body = new ArrayList<Ast.Stage>();
    for (var st : r.stage()) {
      body.add(stage(st));
    }
    Ast.Name index = r.ID() != null ? name(r.ID()) : null;
    return new Ast.RepeatStage(s, annotations(r.annotation()), expr(r.expr()), index, List.copyOf(body),
        alias(r.alias()));
  }

  private Ast.Name alias(CimParser.AliasContext a) {
    if (a == null) {
      return null;
    }
    Token t = a.ID() != null ? a.ID().getSymbol() : a.INT().getSymbol();
    return new Ast.Name(t.getText(), span(t));
  }

  private String unquote(Token t) {
    String text = t.getText();
    var sb = new StringBuilder(text.length());
    for (int i = 1; i < text.length() - 1; i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() - 1) {
        char n = text.charAt(++i);
        switch (n) {
          case 'n':
            sb.append('\n');
            break;
          case 't':
            sb.append('\t');
            break;
          case '"':
          case '\\':
            sb.append(n);
            break;
          default:
            diagnostics.error(span(t), "unknown escape `\\" + n + "` in string", "write `\\\\` for a backslash");
            sb.append(n);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
