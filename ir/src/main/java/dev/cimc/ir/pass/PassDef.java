package dev.cimc.ir.pass;

import dev.cimc.ir.diag.CimcException;
import dev.cimc.ir.diag.Spelling;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The definition of a pass, as data: CLI name, display name, summary, typed options with defaults,
 * statistics, the passes that must run before it, and a factory making a configured {@link Pass}.
 *
 * <pre>{@code
 * public static final PassDef DEF = PassDef.builder("dce", "DeadCodeElimination")
 *     .summary("erase pure nodes whose results are unused")
 *     .statistic("nodes-erased", "pure nodes erased")
 *     .factory(DeadCodeElimination::new)
 *     .build();
 * }</pre>
 */
public final class PassDef {
  private static final Pattern KEBAB = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  private static final Pattern DISPLAY = Pattern.compile("[A-Z][A-Za-z0-9]*");

  private final String name;
  private final String displayName;
  private final String summary;
  private final List<PassOption> options;
  private final List<Statistic> statistics;
  private final List<String> preconditions;
  private final Function<PassOptions, ? extends Pass> factory;
  private final PassOptions defaults;

  private PassDef(Builder b) {
    this.name = b.name;
    this.displayName = b.displayName;
    this.summary = b.summary;
    this.options = List.copyOf(b.options.values());
    this.statistics = List.copyOf(b.statistics.values());
    this.preconditions = List.copyOf(b.preconditions);
    this.factory = Objects.requireNonNull(b.factory, "factory of pass " + name);
    Object[] values = new Object[options.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = options.get(i).defaultValue();
    }
    this.defaults = new PassOptions(this, values);
  }

  /** Starts a definition: {@code name} is the kebab-case CLI name, {@code displayName} the CamelCase one. */
  public static Builder builder(String name, String displayName) {
    return new Builder(name, displayName);
  }

  /** The kebab-case name used in pipelines and on the command line ({@code dce}). */
  public String name() {
    return name;
  }

  /** The CamelCase name used in dump headers and reports ({@code DeadCodeElimination}). */
  public String displayName() {
    return displayName;
  }

  public String summary() {
    return summary;
  }

  /** Options in declaration order (the order of the canonical pipeline text). */
  public List<PassOption> options() {
    return options;
  }

  /** The option with this name, or null. */
  public PassOption option(String optionName) {
    for (PassOption o : options) {
      if (o.name().equals(optionName)) {
        return o;
      }
    }
    return null;
  }

  int optionIndex(String optionName) {
    for (int i = 0; i < options.size(); i++) {
      if (options.get(i).name().equals(optionName)) {
        return i;
      }
    }
    return -1;
  }

  public List<Statistic> statistics() {
    return statistics;
  }

  /** Names of passes that must appear earlier in any pipeline containing this pass. */
  public List<String> preconditions() {
    return preconditions;
  }

  /** Every option at its default. */
  public PassOptions defaultOptions() {
    return defaults;
  }

  /**
   * Options from their textual values (unquoted); unset options keep their defaults. Throws a
   * {@link CimcException} for an unknown option or a bad value.
   */
  public PassOptions parseOptions(Map<String, String> text) {
    PassOptions o = defaults;
    for (var e : text.entrySet()) {
      PassOption spec = option(e.getKey());
      if (spec == null) {
        throw unknownOption(e.getKey());
      }
      o = o.withChecked(optionIndex(e.getKey()), spec.parse(e.getValue(), name));
    }
    return o;
  }

  CimcException unknownOption(String optionName) {
    String hint;
    if (options.isEmpty()) {
      hint = "pass '" + name + "' takes no options";
    } else {
      var names = new ArrayList<String>();
      for (PassOption o : options) {
        names.add(o.name());
      }
      String near = Spelling.closest(optionName, names);
      hint = near != null ? "did you mean '" + near + "'?"
          : "the options of '" + name + "' are: " + String.join(", ", names);
    }
    return new CimcException(dev.cimc.ir.diag.Location.UNKNOWN,
        "unknown option '" + optionName + "' of pass '" + name + "'", hint);
  }

  /** A pass with default options. */
  public Pass create() {
    return create(defaults);
  }

  /** A pass with these options (which must belong to this definition). */
  public Pass create(PassOptions opts) {
    if (opts.def() != this) {
      throw new IllegalArgumentException("options of pass '" + opts.def().name() + "' given to '" + name + "'");
    }
    Pass p = factory.apply(opts);
    if (p.def() != this) {
      throw new IllegalStateException("factory of pass '" + name + "' made a '" + p.def().name() + "'");
    }
    return p;
  }

  /** A pass with options parsed from text (see {@link #parseOptions}). */
  public Pass create(Map<String, String> text) {
    return create(parseOptions(text));
  }

  /** The entry of {@code cimc passes}: name, display name, summary, options, statistics, preconditions. */
  public String describe() {
    var sb = new StringBuilder();
    sb.append(name).append(" (").append(displayName).append(")\n");
    sb.append("  ").append(summary).append('\n');
    int width = 0;
    for (PassOption o : options) {
      width = Math.max(width, o.name().length() + 1 + o.format(o.defaultValue()).length());
    }
    for (Statistic s : statistics) {
      width = Math.max(width, s.name().length());
    }
    if (!options.isEmpty()) {
      sb.append("  options:\n");
      for (PassOption o : options) {
        String head = o.name() + "=" + o.format(o.defaultValue());
        sb.append("    ").append(pad(head, width)).append("  ").append(o.typeText()).append(": ")
            .append(o.description()).append('\n');
      }
    }
    if (!statistics.isEmpty()) {
      sb.append("  statistics:\n");
      for (Statistic s : statistics) {
        sb.append("    ").append(pad(s.name(), width)).append("  ").append(s.description()).append('\n');
      }
    }
    if (!preconditions.isEmpty()) {
      sb.append("  requires: ").append(String.join(", ", preconditions)).append('\n');
    }
    return sb.toString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  static void checkKebab(String s, String what) {
    if (s == null || !KEBAB.matcher(s).matches()) {
      throw new IllegalArgumentException(what + " '" + s + "' is not kebab-case");
    }
  }

  @Override
  public String toString() {
    return name;
  }

  /** Fluent builder of a {@link PassDef}. */
  public static final class Builder {
    private final String name;
    private final String displayName;
    private String summary = "";
    private final Map<String, PassOption> options = new LinkedHashMap<>();
    private final Map<String, Statistic> statistics = new LinkedHashMap<>();
    private final List<String> preconditions = new ArrayList<>();
    private Function<PassOptions, ? extends Pass> factory;

    private Builder(String name, String displayName) {
      checkKebab(name, "pass name");
      if (displayName == null || !DISPLAY.matcher(displayName).matches()) {
        throw new IllegalArgumentException("display name '" + displayName + "' of pass '" + name
            + "' is not CamelCase");
      }
      this.name = name;
      this.displayName = displayName;
    }

    public Builder summary(String s) {
      this.summary = Objects.requireNonNull(s);
      return this;
    }

    public Builder option(PassOption o) {
      if (options.put(o.name(), o) != null) {
        throw new IllegalArgumentException("option '" + o.name() + "' of pass '" + name + "' declared twice");
      }
      return this;
    }

    public Builder statistic(String statName, String description) {
      if (statistics.put(statName, new Statistic(statName, description)) != null) {
        throw new IllegalArgumentException("statistic '" + statName + "' of pass '" + name + "' declared twice");
      }
      return this;
    }

    /** Passes that must run earlier in the pipeline (checked when a pipeline is built). */
    public Builder requires(String... passNames) {
      for (String p : passNames) {
        checkKebab(p, "precondition");
        preconditions.add(p);
      }
      return this;
    }

    public Builder factory(Function<PassOptions, ? extends Pass> f) {
      this.factory = f;
      return this;
    }

    public PassDef build() {
      return new PassDef(this);
    }
  }
}
