/** The graph dialect: op definitions, shape inference and float reference kernels. */
package dev.cimc.ir.dialect.graph;
