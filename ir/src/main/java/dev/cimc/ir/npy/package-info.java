/** NumPy {@code .npy} and {@code .npz} tensor files: reading, atomic writing, and dispatch on the file extension. */
package dev.cimc.ir.npy;
