package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Spelling;
import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Location;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles {@code .cim} model files to graph-dialect IR:
 *
 * <pre>{@code
 * DslModel m = DslFrontend.load(Path.of("examples/dsl/lenet5.cim"));
 * Graph g = m.graph();                  // graph-dialect IR
 * LayerHints h = m.hintsOf("conv1");    // @quant / @duplicate / @digital of a layer
 * }</pre>
 *
 * A compilation parses the file and its imports, runs the semantic checks over all of them, then lowers
 * one model of the main file. Problems come back all at once as a {@link DslException} (each rendered with
 * file:line:col, the source line, a caret range and a hint); warnings ride along in
 * {@link DslModel#warnings()}.
 */
public final class DslFrontend {
  private DslFrontend() {}

  /** The outcome of {@link #analyze}: the model (null when there are errors) and every diagnostic, in source order. */
  public record Result(DslModel model, List<DslDiagnostic> diagnostics) {
    public Result {
      diagnostics = List.copyOf(diagnostics);
    }

    public boolean hasErrors() {
      return model == null;
    }

    /** All diagnostics rendered, one after the other (empty when there are none). */
    public String render() {
      return Diagnostics.render(diagnostics);
    }
  }

  /** Loads the only model of {@code file}. */
  public static DslModel load(Path file) {
    return load(file, null);
  }

  /** Loads model {@code modelName} of {@code file} (null: the file's only model). */
  public static DslModel load(Path file, String modelName) {
    return compile(read(file), modelName);
  }

  /** Reads a {@code .cim} file as UTF-8; a missing or unreadable file is a {@link CimcException}. */
  public static SourceFile read(Path file) {
    try {
      return SourceFile.of(file, Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new CimcException(Location.file(file.toString()), "no such file", null);
    } catch (MalformedInputException e) {
      throw new CimcException(Location.file(file.toString()), "not UTF-8 text", "a .cim file is UTF-8 text");
    } catch (IOException e) {
      throw new CimcException(Location.file(file.toString()), "cannot read: " + e.getMessage(), null);
    }
  }

  /** Compiles model {@code modelName} (null: the only one) of {@code source}; throws {@link DslException} on errors. */
  public static DslModel compile(SourceFile source, String modelName) {
    Result r = analyze(source, modelName, Files::readString);
    if (r.model() == null) {
      throw new DslException(r.diagnostics());
    }
    return r.model();
  }

  /**
   * Checks every model and lowers model {@code modelName} (null: the only one) of {@code source}, reading
   * imports with {@code loader}. Errors come back as diagnostics; a file without models, or a model name
   * that is missing or ambiguous, is a {@link CimcException}.
   */
  static Result analyze(SourceFile source, String modelName, Compilation.SourceLoader loader) {
    var d = new Diagnostics();
    List<ProgramParser.Parsed> files = Compilation.load(source, loader, d);
    if (d.hasErrors()) {
      return new Result(null, d.sorted());
    }
    var programs = new ArrayList<Ast.Program>();
    for (ProgramParser.Parsed p : files) {
      programs.add(p.program());
    }
    var checker = new Checker(d);
    checker.check(programs, programs.get(0));
    Ast.Model model;
    try {
      model = select(source, checker, modelName);
    } catch (CimcException e) {
      if (d.hasErrors()) {
        return new Result(null, d.sorted());
      }
      throw e;
    }
    DslModel lowered = null;
    if (model != null) {
      lowered = new Elaborator(checker, d).lower(model);
    }
    List<DslDiagnostic> all = d.sorted();
    if (d.hasErrors()) {
      return new Result(null, all);
    }
    var warnings = new ArrayList<DslDiagnostic>();
    for (DslDiagnostic x : all) {
      if (!x.isError()) {
        warnings.add(x);
      }
    }
    lowered = new DslModel(lowered.graph(), lowered.hints(), warnings);
    return new Result(lowered, all);
  }

  /** Checks {@code source} and lowers its model the same way {@link #compile} does, returning diagnostics instead of throwing. */
  public static Result analyze(SourceFile source, String modelName) {
    return analyze(source, modelName, Files::readString);
  }

  private static Ast.Model select(SourceFile source, Checker checker, String modelName) {
    var names = new ArrayList<>(checker.models.keySet());
    if (modelName != null) {
      Ast.Model m = checker.models.get(modelName);
      if (m == null) {
        String near = Spelling.didYouMean(modelName, names);
        throw new CimcException(Location.file(source.name()), "no model `" + modelName + "` in this file",
            near != null ? near : names.isEmpty() ? "the file declares no model" : "models: " + String.join(", ", names));
      }
      return m;
    }
    if (names.size() == 1) {
      return checker.models.get(names.get(0));
    }
    if (names.isEmpty()) {
      throw new CimcException(Location.file(source.name()), "the file declares no model",
          "a model reads `model name(x: f32[1, 3, 224, 224]) { ... return y }`");
    }
    throw new CimcException(Location.file(source.name()), "the file declares " + names.size() + " models: "
        + String.join(", ", names), "choose one by name (cimc: --model NAME)");
  }
}
