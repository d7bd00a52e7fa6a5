/** Source locations and the {@code CimcException} family every user-visible error belongs to. */
package dev.cimc.ir.diag;
