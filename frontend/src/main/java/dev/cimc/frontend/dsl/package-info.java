/** The cimc model DSL: grammar, semantic checks, lowering of {@code .cim} files to graph IR, and the formatter. */
package dev.cimc.frontend.dsl;
