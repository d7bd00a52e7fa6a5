/** The {@code cimc} command line (picocli): the main compile command and its subcommands. */
package dev.cimc.compiler.cli;
