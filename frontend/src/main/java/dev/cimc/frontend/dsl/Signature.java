package dev.cimc.frontend.dsl;

import java.util.ArrayList;
import java.util.List;

/**
 * The parameters of something callable: a built-in layer, a block, an annotation or an initializer.
 *
 * @param name what calls write ({@code conv2d}, {@code basic}, {@code quant})
 * @param what the sort of callable, for messages ({@code layer}, {@code block}, ...)
 * @param params the parameters in positional order
 */
record Signature(String name, String what, List<ParamSpec> params) {
  Signature {
    params = List.copyOf(params);
  }

  int indexOf(String param) {
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).name().equals(param)) {
        return i;
      }
    }
    return -1;
  }

  /** The index of the first tensor parameter (where a pipeline's value goes), or -1. */
  int pipedIndex() {
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).kind() != null && params.get(i).kind().isTensor()) {
        return i;
      }
    }
    return -1;
  }

  List<String> paramNames() {
    var names = new ArrayList<String>();
    for (ParamSpec p : params) {
      names.add(p.name());
    }
    return names;
  }

  /** {@code conv2d(x: tensor, out: int, kernel: ints, stride: ints = 1)}. */
  String describe() {
    var parts = new ArrayList<String>();
    for (ParamSpec p : params) {
      parts.add(p.describe());
    }
    return name + "(" + String.join(", ", parts) + ")";
  }
}
