/** End-to-end and conformance tests and their shared fixtures. */
package dev.cimc.tests;
