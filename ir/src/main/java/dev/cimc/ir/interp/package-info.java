/** The reference interpreter that executes graph and q IR with each op's kernel. */
package dev.cimc.ir.interp;
