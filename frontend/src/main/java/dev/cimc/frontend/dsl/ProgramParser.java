package dev.cimc.frontend.dsl;

import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Lexes and parses one {@code .cim} file. Parsing runs in ANTLR's fast SLL mode first and falls back to
 * full LL with error recovery only when that fails, so every syntax error of the file is reported.
 */
final class ProgramParser {
  private ProgramParser() {}

  /** A parsed file: the tree (null when the file has syntax errors) and its token stream with comments. */
  record Parsed(SourceFile source, Ast.Program program, CommonTokenStream tokens) {}

  static Parsed parse(SourceFile source, Diagnostics diagnostics) {
    var lexer = new CimLexer(CharStreams.fromString(source.text(), source.name()));
    lexer.removeErrorListeners();
    var tokens = new CommonTokenStream(lexer);
    var parser = new CimParser(tokens);
    parser.removeErrorListeners();
    parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
    parser.setErrorHandler(new BailErrorStrategy());
    CimParser.ProgramContext tree;
    try {
      tree = parser.program();
    } catch (ParseCancellationException e) {
      tokens.seek(0);
      parser.reset();
      var errors = new SyntaxErrors(source, diagnostics);
      parser.addErrorListener(errors);
      parser.setErrorHandler(new DefaultErrorStrategy());
      parser.getInterpreter().setPredictionMode(PredictionMode.LL);
      tree = parser.program();
      if (errors.count() > 0) {
        return new Parsed(source, null, tokens);
      }
    }
    return new Parsed(source, new AstBuilder(source, diagnostics).program(tree), tokens);
  }
}
