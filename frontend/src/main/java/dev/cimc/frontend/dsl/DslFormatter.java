package dev.cimc.frontend.dsl;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * Prints a {@code .cim} file in the canonical layout ({@code cimc fmt}): two-space indentation, one
 * statement per line, spaces around operators and after commas, {@code name=value} arguments, one blank
 * line around blocks and models, blank lines between statements kept (at most one). A pipeline breaks
 * into one {@code |>} stage per line when it has more than {@value #INLINE_STAGES} stages, does not fit in
 * {@value #WIDTH} columns, or has comments inside; an {@code if} that does not fit breaks into braces on
 * their own lines. Everything else stays on one line.
 *
 * <p>Comments are kept: a comment on its own line stays before the line it preceded; a comment after
 * code stays at the end of the output line that holds the code it followed. Formatting the output again
 * gives the same text.
 */
public final class DslFormatter {
  static final int WIDTH = 100;
  static final int INLINE_STAGES = 3;
  private static final String INDENT = "  ";
  private static final String CONTINUATION = "  ";

  private final List<Token> tokens;
  private final List<Line> lines = new ArrayList<>();

  /** One output line: its text, indentation level, the index of its first token, and placement flags. */
  private static final class Line {
    final int indent;
    final String text;
    final int startToken;
    final boolean level;
    final boolean forceBlank;
    final List<String> leading = new ArrayList<>();
    final List<Token> leadingTokens = new ArrayList<>();
    final List<String> trailing = new ArrayList<>();

    Line(int indent, String text, int startToken, boolean level, boolean forceBlank) {
      this.indent = indent;
      this.text = text;
      this.startToken = startToken;
      this.level = level;
      this.forceBlank = forceBlank;
    }
  }

  private DslFormatter(List<Token> tokens) {
    this.tokens = tokens;
  }

  /**
   * The canonical text of {@code source}; a file with syntax errors is a {@link DslException} carrying
   * them.
   */
  public static String format(String source, String fileName) {
    var d = new Diagnostics();
    SourceFile file = SourceFile.of(fileName, source);
    ProgramParser.Parsed parsed = ProgramParser.parse(file, d);
    if (d.hasErrors()) {
      throw new DslException(d.sorted());
    }
    var f = new DslFormatter(parsed.tokens().getTokens());
    f.program(parsed.program());
    return f.render();
  }

  // ---- layout ----

  private void program(Ast.Program p) {
    for (Ast.Item item : p.items()) {
      boolean big = item instanceof Ast.Block || item instanceof Ast.Model;
      int start = item.span().firstToken();
      if (item instanceof Ast.Import imp) {
        add(0, "import " + imp.literal(), start, true, false);
      } else if (item instanceof Ast.Const c) {
        add(0, "const " + c.name() + " = " + expr(c.value()), start, true, false);
      } else if (item instanceof Ast.Block b) {
        var params = new ArrayList<String>();
        for (Ast.Param prm : b.params()) {
          params.add(prm.name() + (prm.type() != null ? ": " + prm.type() : "")
              + (prm.defaultValue() != null ? " = " + expr(prm.defaultValue()) : ""));
        }
        add(0, "block " + b.name() + "(" + String.join(", ", params) + ") {", start, true, true);
        body(b.body(), 1);
      } else {
        var m = (Ast.Model) item;
        var inputs = new ArrayList<String>();
        for (Ast.Input in : m.inputs()) {
          var dims = new ArrayList<String>();
          for (Ast.Expr e : in.dims()) {
            dims.add(expr(e));
          }
          inputs.add(in.name() + ": " + in.elementType() + "[" + String.join(", ", dims) + "]");
        }
        add(0, "model " + m.name() + "(" + String.join(", ", inputs) + ") {", start, true, true);
        body(m.body(), 1);
      }
      if (big) {
        lines.add(new Line(0, "}", lastBodyBrace, false, false));
      }
    }
  }

  private int lastBodyBrace;

  private void body(Ast.Body body, int indent) {
    for (Ast.Stmt s : body.stmts()) {
      int start = s.span().firstToken();
      if (s instanceof Ast.Weights w) {
        add(indent, "weights " + w.literal(), start, true, false);
      } else if (s instanceof Ast.Init i) {
        add(indent, "init " + i.scheme() + (i.args() == null ? "" : "(" + args(i.args()) + ")"), start, true, false);
      } else if (s instanceof Ast.Assign a) {
        valueLines(indent, a.name() + " = ", a.value(), start, s.span().lastToken(), true);
      } else {
        var r = (Ast.Return) s;
        if (r.values().size() == 1) {
          valueLines(indent, "return ", r.values().get(0), start, s.span().lastToken(), true);
        } else {
          var parts = new ArrayList<String>();
          for (Ast.Expr e : r.values()) {
            parts.add(expr(e));
          }
          add(indent, "return " + String.join(", ", parts), start, true, false);
        }
      }
    }
    lastBodyBrace = body.closeBrace().firstToken();
  }

  /** Lines for {@code prefix + e}: one line, a broken pipeline, or a broken {@code if}. */
  private void valueLines(int indent, String prefix, Ast.Expr e, int start, int end, boolean level) {
    String one = prefix + expr(e);
    boolean tooLong = INDENT.length() * indent + one.length() > WIDTH;
    boolean comments = hasCommentInside(start, end);
    if (e instanceof Ast.Pipe) {
      var chain = new ArrayList<Ast.Stage>();
      Ast.Expr input = e;
      while (input instanceof Ast.Pipe p) {
        chain.add(0, p.stage());
        input = p.input();
      }
      if (tooLong || comments || chain.size() > INLINE_STAGES) {
        add(indent, prefix + expr(input), start, level, false);
        for (Ast.Stage st : chain) {
          lines.add(new Line(indent, CONTINUATION + "|> " + stage(st), previousDefault(st.span().firstToken()),
              false, false));
        }
        return;
      }
    } else if (e instanceof Ast.If i && (tooLong || comments)) {
      add(indent, prefix + "if " + expr(i.condition()) + " {", start, level, false);
      Ast.If at = i;
      while (true) {
        valueLines(indent + 1, "", at.then(), at.then().span().firstToken(), at.then().span().lastToken(), false);
        int close = nextDefault(at.then().span().lastToken());
        if (at.otherwise() instanceof Ast.If next) {
          lines.add(new Line(indent, "} else if " + expr(next.condition()) + " {", close, false, false));
          at = next;
          continue;
        }
        lines.add(new Line(indent, "} else {", close, false, false));
        Ast.Expr other = at.otherwise();
        valueLines(indent + 1, "", other, other.span().firstToken(), other.span().lastToken(), false);
        lines.add(new Line(indent, "}", nextDefault(other.span().lastToken()), false, false));
        return;
      }
    }
    add(indent, one, start, level, false);
  }

  private void add(int indent, String text, int start, boolean level, boolean forceBlank) {
    lines.add(new Line(indent, text, start, level, forceBlank));
  }

  // ---- expressions, on one line ----

  private String expr(Ast.Expr e) {
    if (e instanceof Ast.IntLit i) {
      return i.text();
    }
    if (e instanceof Ast.FloatLit f) {
      return f.text();
    }
    if (e instanceof Ast.StringLit s) {
      return s.text();
    }
    if (e instanceof Ast.BoolLit b) {
      return Boolean.toString(b.value());
    }
    if (e instanceof Ast.NameRef n) {
      return n.name();
    }
    if (e instanceof Ast.Paren p) {
      return "(" + expr(p.inner()) + ")";
    }
    if (e instanceof Ast.ListLit l) {
      var parts = new ArrayList<String>();
      for (Ast.Expr el : l.elements()) {
        parts.add(expr(el));
      }
      return "[" + String.join(", ", parts) + "]";
    }
    if (e instanceof Ast.Member m) {
      return expr(m.target()) + "." + m.member();
    }
    if (e instanceof Ast.Index i) {
      return expr(i.target()) + "[" + expr(i.index()) + "]";
    }
    if (e instanceof Ast.Unary u) {
      return u.op() + expr(u.operand());
    }
    if (e instanceof Ast.Binary b) {
      return expr(b.left()) + " " + b.op() + " " + expr(b.right());
    }
    if (e instanceof Ast.Pipe p) {
      return expr(p.input()) + " |> " + stage(p.stage());
    }
    if (e instanceof Ast.Call c) {
      return annotations(c.annotations()) + c.callee() + "(" + args(c.args()) + ")" + alias(c.alias());
    }
    var i = (Ast.If) e;
    String s = "if " + expr(i.condition()) + " { " + expr(i.then()) + " } else ";
    return s + (i.otherwise() instanceof Ast.If ? expr(i.otherwise()) : "{ " + expr(i.otherwise()) + " }");
  }

  private String stage(Ast.Stage s) {
    if (s instanceof Ast.LayerStage l) {
      return annotations(l.annotations()) + l.callee() + (l.args() == null ? "" : "(" + args(l.args()) + ")")
          + alias(l.alias());
    }
    var r = (Ast.RepeatStage) s;
    var body = new ArrayList<String>();
    for (Ast.Stage st : r.body()) {
      body.add(stage(st));
    }
    return annotations(r.annotations()) + "repeat " + expr(r.count()) + (r.index() != null ? " as " + r.index() : "")
        + " { " + String.join(" |> ", body) + " }" + alias(r.alias());
  }

  private static String alias(Ast.Name alias) {
    return alias == null ? "" : " as " + alias;
  }

  private String annotations(List<Ast.Annotation> annotations) {
    var sb = new StringBuilder();
    for (Ast.Annotation a : annotations) {
      sb.append('@').append(a.name());
      if (a.args() != null) {
        sb.append('(').append(args(a.args())).append(')');
      }
      sb.append(' ');
    }
    return sb.toString();
  }

  private String args(List<Ast.Arg> args) {
    var parts = new ArrayList<String>();
    for (Ast.Arg a : args) {
      parts.add((a.name() != null ? a.name() + "=" : "") + expr(a.value()));
    }
    return String.join(", ", parts);
  }

  // ---- tokens and comments ----

  private static boolean isComment(Token t) {
    return t.getType() == CimLexer.LINE_COMMENT || t.getType() == CimLexer.BLOCK_COMMENT;
  }

  private boolean hasCommentInside(int start, int end) {
    for (int i = start + 1; i < end && i < tokens.size(); i++) {
      if (isComment(tokens.get(i))) {
        return true;
      }
    }
    return false;
  }

  /** The index of the default-channel token before {@code index} (the {@code |>} before a stage). */
  private int previousDefault(int index) {
    int i = index - 1;
    while (i >= 0 && tokens.get(i).getChannel() != Token.DEFAULT_CHANNEL) {
      i--;
    }
    return i;
  }

  private int nextDefault(int index) {
    int i = index + 1;
    while (i < tokens.size() - 1 && tokens.get(i).getChannel() != Token.DEFAULT_CHANNEL) {
      i++;
    }
    return i;
  }

  private static int endLine(Token t) {
    int n = t.getLine();
    String s = t.getText();
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  /** Whether the source has a blank line right before token {@code index}. */
  private boolean blankBefore(int index) {
    if (index <= 0 || index >= tokens.size()) {
      return false;
    }
    return tokens.get(index).getLine() - endLine(tokens.get(index - 1)) >= 2;
  }

  /** The line holding token {@code index}: the last line starting at or before it. */
  private Line lineOf(int index) {
    Line found = lines.isEmpty() ? null : lines.get(0);
    for (Line l : lines) {
      if (l.startToken <= index) {
        found = l;
      } else {
        break;
      }
    }
    return found;
  }

  private String render() {
    var tail = new ArrayList<Token>();
    for (Token t : tokens) {
      if (!isComment(t)) {
        continue;
      }
      int prev = previousDefault(t.getTokenIndex());
      if (prev >= 0 && !lines.isEmpty() && prev >= lines.get(0).startToken && endLine(tokens.get(prev)) == t.getLine()) {
        lineOf(prev).trailing.add(t.getText());
        continue;
      }
      int next = nextDefault(t.getTokenIndex());
      if (lines.isEmpty() || tokens.get(next).getType() == Token.EOF) {
        tail.add(t);
        continue;
      }
      Line target = lineOf(next);
      target.leading.add(t.getText());
      target.leadingTokens.add(t);
    }
    var sb = new StringBuilder();
    boolean suppress = true;
    for (Line l : lines) {
      boolean closing = l.text.startsWith("}");
      boolean blankAllowed = l.level || closing;
      for (int i = 0; i < l.leading.size(); i++) {
        boolean blank = blankAllowed && blankBefore(l.leadingTokens.get(i).getTokenIndex()) || i == 0 && l.forceBlank;
        if (blank && !suppress) {
          sb.append('\n');
        }
        sb.append(INDENT.repeat(closing ? l.indent + 1 : l.indent)).append(l.leading.get(i)).append('\n');
        suppress = false;
      }
      boolean blank = l.level && blankBefore(l.startToken) || l.leading.isEmpty() && l.forceBlank;
      if (blank && !suppress && !closing) {
        sb.append('\n');
      }
      sb.append(INDENT.repeat(l.indent)).append(l.text);
      for (String c : l.trailing) {
        sb.append(' ').append(c);
      }
      sb.append('\n');
      suppress = l.text.endsWith("{");
    }
    for (Token t : tail) {
      if (blankBefore(t.getTokenIndex()) && sb.length() > 0) {
        sb.append('\n');
      }
      sb.append(t.getText()).append('\n');
    }
    return sb.toString();
  }
}
