/** Frontends: readers that turn model files into graph IR. */
package dev.cimc.frontend;
