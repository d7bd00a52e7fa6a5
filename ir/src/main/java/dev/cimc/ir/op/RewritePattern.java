package dev.cimc.ir.op;

import dev.cimc.ir.graph.Node;

/**
 * A local rewrite rooted at a node of one op (a canonicalization). Returns true if it changed the graph.
 * It may erase the root and must leave the graph valid.
 */
@FunctionalInterface
public interface RewritePattern {
  boolean apply(Node root);
}
