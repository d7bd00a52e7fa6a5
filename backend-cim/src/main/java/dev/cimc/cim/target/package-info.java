/** CIM target descriptions: the chip → tile → core → crossbar model, JSON presets, validation and fingerprints. */
package dev.cimc.cim.target;
