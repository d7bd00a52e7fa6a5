package dev.cimc.ir.op;

import dev.cimc.ir.graph.Node;
import dev.cimc.ir.graph.Value;

/**
 * An algebraic identity that makes a single-result node redundant: returns an existing value equal to
 * the node's result (e.g. {@code reshape(x) -> x} when the shape does not change), or null.
 */
@FunctionalInterface
public interface Folder {
  Value fold(Node node);
}
