/** End-to-end and conformance test support shared by the test suites of the tests module. */
package dev.cimc.tests;
