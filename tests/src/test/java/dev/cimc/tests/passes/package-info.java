/** The graph passes and -O pipelines on real models: numerical equivalence, what they did, CLE figures. */
package dev.cimc.tests.passes;
