/** The dialects cimc ships and the standard registry that holds them. */
package dev.cimc.ir.dialect;
