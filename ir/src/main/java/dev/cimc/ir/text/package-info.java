/** The text format of the IR: printer, parser and type syntax. */
package dev.cimc.ir.text;
