package dev.cimc.ir.op;

import dev.cimc.ir.attr.AttrKind;
import dev.cimc.ir.attr.Attribute;

/**
 * One entry of an op's attribute schema.
 *
 * @param name attribute name
 * @param kind the kind of value it takes
 * @param defaultValue the value when absent, or null
 * @param required true if it must be given (then there is no default)
 */
public record AttrSpec(String name, AttrKind kind, Attribute defaultValue, boolean required) {
  public AttrSpec {
    if (defaultValue != null && defaultValue.kind() != kind) {
      throw new IllegalArgumentException("default of '" + name + "' is a " + defaultValue.kind() + ", not " + kind);
    }
    if (required && defaultValue != null) {
      throw new IllegalArgumentException("required attribute '" + name + "' cannot have a default");
    }
  }
}
