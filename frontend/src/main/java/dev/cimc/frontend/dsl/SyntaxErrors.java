package dev.cimc.frontend.dsl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns ANTLR's syntax errors into cimc diagnostics ({@code unexpected `x`, expected `)` or `,`}) instead
 * of ANTLR's console output. Stray characters, unterminated strings and unclosed comments arrive as their
 * own token types and get their own messages.
 */
final class SyntaxErrors extends BaseErrorListener {
  /** Tokens that could continue an expression; listed only when nothing else is expected. */
  private static final Set<Integer> CONTINUATIONS = Set.of(CimParser.DOT, CimParser.LBRACK, CimParser.STAR,
      CimParser.SLASH, CimParser.PERCENT, CimParser.PLUS, CimParser.MINUS, CimParser.LT, CimParser.LE, CimParser.GT,
      CimParser.GE, CimParser.EQ, CimParser.NE, CimParser.AND, CimParser.OR, CimParser.PIPE, CimParser.AS,
      CimParser.LPAREN);
  /** Tokens that can start an expression; listed together as "an expression". */
  private static final Set<Integer> EXPRESSION_STARTS = Set.of(CimParser.ID, CimParser.INT, CimParser.FLOAT,
      CimParser.STRING, CimParser.LPAREN, CimParser.LBRACK, CimParser.MINUS, CimParser.NOT, CimParser.IF,
      CimParser.TRUE, CimParser.FALSE, CimParser.AT);

  private final SourceFile source;
  private final Diagnostics diagnostics;
  private int count;
  private final java.util.Set<Integer> linesWithErrors = new java.util.HashSet<>();

  SyntaxErrors(SourceFile source, Diagnostics diagnostics) {
    this.source = source;
    this.diagnostics = diagnostics;
  }

  int count() {
    return count;
  }

  @Override
  public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
      String msg, RecognitionException e) {
    count++;
    // Error recovery often trips again on the rest of a broken line; the first error there says it.
    if (!linesWithErrors.add(line)) {
      return;
    }
    if (!(offendingSymbol instanceof Token t)) {
      diagnostics.error(new Span(source, line, charPositionInLine + 1, line, charPositionInLine + 2, -1, -1),
          "syntax error", null);
      return;
    }
    Span span = AstBuilder.span(source, t);
    switch (t.getType()) {
      case CimParser.ERROR_CHAR:
        diagnostics.error(span, "unexpected character `" + t.getText() + "`", null);
        return;
      case CimParser.BAD_STRING:
        diagnostics.error(span, "unterminated string", "close the string with `\"` on the same line");
        return;
      case CimParser.BAD_COMMENT:
        diagnostics.error(new Span(source, span.line(), span.col(), span.line(), span.col() + 2, -1, -1),
            "unterminated comment", "close the comment with `*/`");
        return;
      default:
        break;
    }
    IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens()
        : recognizer instanceof Parser p ? p.getExpectedTokens() : new IntervalSet();
    String message = "unexpected " + describe(t);
    String exp = expectedText(expected);
    if (exp != null) {
      message += ", expected " + exp;
    }
    diagnostics.error(span, message, hintFor(t, expected, recognizer));
  }

  private static String hintFor(Token t, IntervalSet expected, Recognizer<?, ?> recognizer) {
    if (t.getType() == CimParser.AS && recognizer instanceof Parser p) {
      Token next = p.getTokenStream().LT(2);
      if (next != null && isKeyword(next.getType())) {
        return "`" + next.getText() + "` is a keyword and cannot be used as a name";
      }
    }
    if (t.getType() == CimParser.ASSIGN && expected.contains(CimParser.EQ)) {
      return "compare with `==`";
    }
    if (isKeyword(t.getType()) && expected.contains(CimParser.ID)) {
      return "`" + t.getText() + "` is a keyword and cannot be used as a name";
    }
    return null;
  }

  private static boolean isKeyword(int type) {
    return type >= CimParser.IMPORT && type <= CimParser.FALSE;
  }

  private static String describe(Token t) {
    if (t.getType() == Token.EOF) {
      return "end of file";
    }
    String text = t.getText();
    if (text.length() > 30) {
      text = text.substring(0, 27) + "...";
    }
    return "`" + text + "`";
  }

  /** "`)`", "`,` or `)`", "a name", "an expression"; null when too many things could follow. */
  static String expectedText(IntervalSet expected) {
    List<Integer> types = expected.toList();
    Set<Integer> essential = new LinkedHashSet<>();
    for (int type : types) {
      if (!CONTINUATIONS.contains(type)) {
        essential.add(type);
      }
    }
    if (essential.isEmpty()) {
      essential.addAll(types);
    }
    var names = new ArrayList<String>();
    boolean expression = essential.containsAll(Set.of(CimParser.INT, CimParser.FLOAT, CimParser.STRING));
    if (expression) {
      names.add("an expression");
    }
    for (int type : essential) {
      if (expression && EXPRESSION_STARTS.contains(type)) {
        continue;
      }
      names.add(tokenName(type));
    }
    if (names.isEmpty() || names.size() > 4) {
      return null;
    }
    if (names.size() == 1) {
      return names.get(0);
    }
    return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
  }

  static String tokenName(int type) {
    switch (type) {
      case Token.EOF:
        return "end of file";
      case CimParser.ID:
        return "a name";
      case CimParser.INT:
        return "an integer";
      case CimParser.FLOAT:
        return "a number";
      case CimParser.STRING:
        return "a string";
      default:
        String literal = CimParser.VOCABULARY.getLiteralName(type);
        if (literal != null && literal.length() >= 2) {
          return "`" + literal.substring(1, literal.length() - 1) + "`";
        }
        return CimParser.VOCABULARY.getDisplayName(type);
    }
  }
}
