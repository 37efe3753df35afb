/**
 * The analytical cost model: a {@link dev.sfd.cost.Mapping} of one operator evaluated on one accelerator
 * (tiles, cycles, bytes per operand, footprint, DRAM traffic, energy), and the network lower bounds. No
 * solver code lives here.
 */
package dev.sfd.cost;
