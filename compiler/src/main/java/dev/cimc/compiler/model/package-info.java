/** Model files on disk: loading by kind, and .cir text IR with its side file of constants. */
package dev.cimc.compiler.model;
