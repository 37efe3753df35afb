/**
 * The accelerator description: PE array, vector unit, global buffer, DRAM, data widths and energy per
 * operation, read from YAML presets ({@code models/hardware/}) or user files and validated at the edge.
 */
package dev.sfd.hardware;
