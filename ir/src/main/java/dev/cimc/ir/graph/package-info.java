/** The IR core: graphs, nodes, SSA values and the rewriting API that keeps use-lists right. */
package dev.cimc.ir.graph;
