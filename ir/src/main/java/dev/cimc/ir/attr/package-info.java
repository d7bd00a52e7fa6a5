/** Typed, immutable node attributes and attribute dictionaries. */
package dev.cimc.ir.attr;
