package dev.cimc.ir.pass;

/**
 * A counter a pass declares and bumps through its {@link PassContext}, shown by pass-statistics.
 *
 * @param name kebab-case name, e.g. {@code nodes-erased}
 * @param description one line saying what is counted
 */
public record Statistic(String name, String description) {
  public Statistic {
    PassDef.checkKebab(name, "statistic name");
    java.util.Objects.requireNonNull(description);
  }
}
