package dev.cimc.ir.op;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.type.TensorType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The single definition of an op: operands, results, attribute schema with defaults, traits, type
 * inference, verifier, folders and canonicalization patterns, and the reference kernel. The printer,
 * parser, verifier, interpreter and rewrite drivers all read this; none of them switches on op names.
 */
public final class OpDef {
  /** Marks a variadic operand or result count. */
  public static final int VARIADIC = -1;

  private final String dialect;
  private final String name;
  private final String fullName;
  private final String summary;
  private final List<String> operandNames;
  private final int minOperands;
  private final int maxOperands;
  private final int numResults;
  private final Map<String, AttrSpec> attrs;
  private final int requiredCount;
  /** The specs again as an array, scanned by {@link #spec}: cheaper than the map for a few attributes. */
  private final AttrSpec[] specs;
  private final Set<Trait> traits;
  private final TypeInference inference;
  private final Kernel kernel;
  private final List<Folder> folders;
  private final List<RewritePattern> canonicalizations;

  private OpDef(Builder b) {
    this.dialect = b.dialect;
    this.name = b.name;
    this.fullName = b.dialect.isEmpty() ? b.name : b.dialect + "." + b.name;
    this.summary = b.summary;
    this.operandNames = List.copyOf(b.operandNames);
    this.minOperands = b.minOperands;
    this.maxOperands = b.maxOperands;
    this.numResults = b.numResults;
    this.attrs = Collections.unmodifiableMap(new LinkedHashMap<>(b.attrs));
    int required = 0;
    for (AttrSpec spec : attrs.values()) {
      required += spec.required() ? 1 : 0;
    }
    this.requiredCount = required;
    this.specs = attrs.values().toArray(new AttrSpec[0]);
    this.traits = Collections.unmodifiableSet(b.traits.isEmpty() ? EnumSet.noneOf(Trait.class) : EnumSet.copyOf(b.traits));
    this.inference = Objects.requireNonNull(b.inference, "type inference of " + fullName);
    this.kernel = b.kernel;
    this.folders = List.copyOf(b.folders);
    this.canonicalizations = List.copyOf(b.canonicalizations);
  }

  /** Starts a definition of {@code dialect.name} (an empty dialect for builtin ops such as {@code const}). */
  public static Builder builder(String dialect, String name) {
    return new Builder(dialect, name);
  }

  public String dialect() {
    return dialect;
  }

  public String name() {
    return name;
  }

  /** {@code dialect.name}, the spelling in the text format. */
  public String fullName() {
    return fullName;
  }

  public String summary() {
    return summary;
  }

  /** Names of the operands, in order; for a variadic tail the last name repeats. */
  public List<String> operandNames() {
    return operandNames;
  }

  public int minOperands() {
    return minOperands;
  }

  /** Maximum operand count, or {@link #VARIADIC}. */
  public int maxOperands() {
    return maxOperands;
  }

  /** Fixed number of results, or {@link #VARIADIC} (then the node's declared count rules). */
  public int numResults() {
    return numResults;
  }

  public Map<String, AttrSpec> attributeSchema() {
    return attrs;
  }

  public AttrSpec attrSpec(String name) {
    return attrs.get(name);
  }

  /** The schema default of an attribute, or null. */
  public Attribute defaultOf(String name) {
    AttrSpec s = spec(name);
    return s == null ? null : s.defaultValue();
  }

  public Set<Trait> traits() {
    return traits;
  }

  public boolean has(Trait t) {
    return traits.contains(t);
  }

  /** Runs type inference; throws {@link InferenceException} if the operands or attributes are invalid. */
  public List<TensorType> inferTypes(List<TensorType> operandTypes, Attributes attributes,
      List<TensorType> declaredResults) {
    return inference.infer(new InferContext(this, operandTypes, attributes, declaredResults));
  }

  /**
   * Checks operand count and attributes against the definition: every problem, in a stable order, as
   * messages meant for the user (empty when the signature is valid).
   */
  public List<String> signatureErrors(int numOperands, Attributes attributes) {
    if (signatureValid(numOperands, attributes)) {
      return List.of();
    }
    var errors = new ArrayList<String>();
    if (numOperands < minOperands || (maxOperands != VARIADIC && numOperands > maxOperands)) {
      errors.add("expected " + arityText() + ", got " + numOperands);
    }
    for (var e : attributes.entries()) {
      AttrSpec spec = attrs.get(e.getKey());
      if (spec == null) {
        errors.add("unknown attribute '" + e.getKey() + "'" + (attrs.isEmpty() ? " (the op takes none)"
            : " (expected one of: " + String.join(", ", attrs.keySet()) + ")"));
      } else if (e.getValue().kind() != spec.kind()) {
        errors.add("attribute '" + e.getKey() + "' must be " + article(spec.kind().description()) + ", got "
            + article(e.getValue().kind().description()));
      }
    }
    for (AttrSpec spec : attrs.values()) {
      if (spec.required() && !attributes.has(spec.name())) {
        errors.add("missing required attribute '" + spec.name() + "' (" + spec.kind().description() + ")");
      }
    }
    return errors;
  }

  /** The spec of attribute {@code name}, or null: a scan on cached string hashes. */
  private AttrSpec spec(String name) {
    int h = name.hashCode();
    for (AttrSpec s : specs) {
      String n = s.name();
      if (n == name || (n.hashCode() == h && n.equals(name))) {
        return s;
      }
    }
    return null;
  }

  /** The common case of {@link #signatureErrors}, without allocating: true if there is no error. */
  private boolean signatureValid(int numOperands, Attributes attributes) {
    if (numOperands < minOperands || (maxOperands != VARIADIC && numOperands > maxOperands)) {
      return false;
    }
    int present = 0;
    for (int i = 0, n = attributes.size(); i < n; i++) {
      AttrSpec spec = spec(attributes.nameAt(i));
      if (spec == null || attributes.valueAt(i).kind() != spec.kind()) {
        return false;
      }
      present += spec.required() ? 1 : 0;
    }
    return present == requiredCount;
  }

  /** "2 operands", "1 to 3 operands", "at least 1 operand". */
  public String arityText() {
    if (maxOperands == VARIADIC) {
      return "at least " + plural(minOperands, "operand");
    }
    if (minOperands == maxOperands) {
      return plural(minOperands, "operand");
    }
    return minOperands + " to " + plural(maxOperands, "operand");
  }

  private static String plural(int n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static String article(String noun) {
    return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
  }

  /** The reference kernel, or null if the op cannot be interpreted. */
  public Kernel kernel() {
    return kernel;
  }

  public List<Folder> folders() {
    return folders;
  }

  public List<RewritePattern> canonicalizations() {
    return canonicalizations;
  }

  @Override
  public String toString() {
    return fullName;
  }

  /** Fluent builder of an {@link OpDef}. */
  public static final class Builder {
    private final String dialect;
    private final String name;
    private String summary = "";
    private final List<String> operandNames = new ArrayList<>();
    private int minOperands;
    private int maxOperands;
    private int numResults = 1;
    private final Map<String, AttrSpec> attrs = new LinkedHashMap<>();
    private final Set<Trait> traits = EnumSet.noneOf(Trait.class);
    private TypeInference inference;
    private Kernel kernel;
    private final List<Folder> folders = new ArrayList<>();
    private final List<RewritePattern> canonicalizations = new ArrayList<>();

    private Builder(String dialect, String name) {
      this.dialect = Objects.requireNonNull(dialect);
      this.name = Objects.requireNonNull(name);
    }

    public Builder summary(String s) {
      this.summary = s;
      return this;
    }

    /** Required operands, in order. */
    public Builder operands(String... names) {
      operandNames.addAll(List.of(names));
      minOperands += names.length;
      maxOperands += names.length;
      return this;
    }

    /** Optional trailing operands (each may be omitted from the end). */
    public Builder optionalOperands(String... names) {
      operandNames.addAll(List.of(names));
      maxOperands += names.length;
      return this;
    }

    /** A variadic tail of at least {@code min} operands. */
    public Builder variadicOperands(String name, int min) {
      operandNames.add(name);
      minOperands += min;
      maxOperands = VARIADIC;
      return this;
    }

    public Builder results(int n) {
      this.numResults = n;
      return this;
    }

    public Builder variadicResults() {
      this.numResults = VARIADIC;
      return this;
    }

    public Builder attr(String name, AttrKind kind, Attribute defaultValue) {
      attrs.put(name, new AttrSpec(name, kind, defaultValue, false));
      return this;
    }

    public Builder optionalAttr(String name, AttrKind kind) {
      attrs.put(name, new AttrSpec(name, kind, null, false));
      return this;
    }

    public Builder requiredAttr(String name, AttrKind kind) {
      attrs.put(name, new AttrSpec(name, kind, null, true));
      return this;
    }

    public Builder traits(Trait... ts) {
      traits.addAll(List.of(ts));
      return this;
    }

    public Builder infer(TypeInference inf) {
      this.inference = inf;
      return this;
    }

    public Builder kernel(Kernel k) {
      this.kernel = k;
      return this;
    }

    public Builder folder(Folder f) {
      folders.add(f);
      return this;
    }

    public Builder canonicalize(RewritePattern p) {
      canonicalizations.add(p);
      return this;
    }

    public OpDef build() {
      return new OpDef(this);
    }
  }
}
