/** File output shared by every artifact cimc writes: all-or-nothing writes. */
package dev.cimc.ir.io;
