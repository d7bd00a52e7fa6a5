package dev.cimc.frontend.dsl;

import dev.cimc.ir.diag.Spelling;
import java.util.ArrayList;
import java.util.List;

/**
 * Matches the arguments of a call to the parameters of a {@link Signature}: the piped value goes to the
 * first tensor parameter, positional arguments fill the remaining parameters in order (a variadic tensor
 * parameter takes all that are left), named arguments go where they say. Checker and lowering bind the
 * same way, so they report the same problems.
 */
final class ArgBinder {
  private ArgBinder() {}

  /** An argument given to a parameter: its expression, or null for the value piped in. */
  record Actual(Ast.Expr expr) {
    static final Actual PIPED = new Actual(null);

    boolean piped() {
      return expr == null;
    }
  }

  /**
   * The outcome: per parameter, what was given (an empty list when nothing was); {@code ok} is false when
   * a problem was reported.
   */
  record Binding(Signature signature, List<List<Actual>> slots, boolean ok) {
    Binding {
      slots = java.util.Collections.unmodifiableList(slots);
    }

    List<Actual> slot(int i) {
      return slots.get(i);
    }
  }

  static Binding bind(Signature sig, boolean piped, List<Ast.Arg> args, Span callSpan, Diagnostics d) {
    int n = sig.params().size();
    var slots = new ArrayList<List<Actual>>(n);
    boolean[] byName = new boolean[n];
    for (int i = 0; i < n; i++) {
      slots.add(List.of());
    }
    boolean ok = true;
    String title = "`" + sig.name() + "`";
    if (piped) {
      int p = sig.pipedIndex();
      if (p < 0) {
        d.error(callSpan, title + " takes no tensor to pipe into", sig.describe());
        ok = false;
      } else {
        slots.set(p, List.of(Actual.PIPED));
      }
    }
    int cursor = 0;
    boolean sawNamed = false;
    int given = args == null ? 0 : args.size();
    for (int k = 0; k < given; k++) {
      Ast.Arg a = args.get(k);
      if (a.name() == null) {
        if (sawNamed) {
          d.error(a.span(), "positional argument after named arguments", "give the named arguments last");
          ok = false;
          continue;
        }
        while (cursor < n && !slots.get(cursor).isEmpty() && sig.params().get(cursor).kind() != Kind.TENSORS) {
          cursor++;
        }
        if (cursor >= n) {
          d.error(a.span(), "too many arguments for " + title, sig.describe());
          ok = false;
          continue;
        }
        slots.set(cursor, append(slots.get(cursor), new Actual(a.value())));
        if (sig.params().get(cursor).kind() != Kind.TENSORS) {
          cursor++;
        }
        continue;
      }
      sawNamed = true;
      String name = a.name().text();
      int p = sig.indexOf(name);
      if (p < 0) {
        String near = Spelling.didYouMean(name, sig.paramNames());
        d.error(a.name().span(), title + " has no argument `" + name + "`", near != null ? near : sig.describe());
        ok = false;
        continue;
      }
      List<Actual> slot = slots.get(p);
      if (!slot.isEmpty()) {
        String how = byName[p] ? "" : slot.get(0).piped() ? " (it is the piped value)" : " (by position and by name)";
        d.error(a.name().span(), "argument `" + name + "` is given twice" + how, null);
        ok = false;
        continue;
      }
      byName[p] = true;
      slots.set(p, List.of(new Actual(a.value())));
    }
    // A misspelt or misplaced argument is usually the missing one: then report only that.
    boolean reportMissing = ok;
    for (int i = 0; i < n; i++) {
      ParamSpec p = sig.params().get(i);
      if (p.required() && slots.get(i).isEmpty()) {
        if (reportMissing) {
          d.error(callSpan, "missing argument `" + p.name() + "` for " + title, sig.describe());
        }
        ok = false;
      }
    }
    return new Binding(sig, slots, ok);
  }

  /** {@code list} with {@code a} added (variadic parameters gather several arguments). */
  private static List<Actual> append(List<Actual> list, Actual a) {
    if (list.isEmpty()) {
      return List.of(a);
    }
    var l = new ArrayList<>(list);
    l.add(a);
    return java.util.Collections.unmodifiableList(l);
  }
}
