/** Graph-to-graph transformations run by the pass manager: constant folding, canonicalization, dead code elimination. */
package dev.cimc.ir.transform;
