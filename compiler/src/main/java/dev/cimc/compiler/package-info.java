/** The {@code Cimc} library facade and build information. */
package dev.cimc.compiler;
