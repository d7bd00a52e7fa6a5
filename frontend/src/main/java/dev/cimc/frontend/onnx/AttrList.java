package dev.cimc.frontend.onnx;

import dev.cimc.ir.attr.Attribute;
import dev.cimc.ir.attr.Attributes;
import dev.cimc.ir.tensor.Tensor;
import dev.cimc.ir.type.ElementType;
import java.util.TreeMap;

/** Collects the attributes of a graph op being built; null values are left out (the op's default applies). */
final class AttrList {
  private final TreeMap<String, Attribute> map = new TreeMap<>();

  static AttrList of() {
    return new AttrList();
  }

  AttrList i(String name, long v) {
    map.put(name, Attribute.of(v));
    return this;
  }

  AttrList f(String name, double v) {
    map.put(name, Attribute.of(v));
    return this;
  }

  AttrList s(String name, String v) {
    if (v != null) {
      map.put(name, Attribute.of(v));
    }
    return this;
  }

  AttrList ints(String name, long[] v) {
    if (v != null) {
      map.put(name, Attribute.ints(v));
    }
    return this;
  }

  AttrList floats(String name, double[] v) {
    if (v != null) {
      map.put(name, Attribute.floats(v));
    }
    return this;
  }

  AttrList tensor(String name, Tensor t) {
    if (t != null) {
      map.put(name, new Attribute.TensorAttr(t));
    }
    return this;
  }

  AttrList type(String name, ElementType et) {
    map.put(name, new Attribute.TypeAttr(et));
    return this;
  }

  Attributes build() {
    return Attributes.of(map);
  }
}
