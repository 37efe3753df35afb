/**
 * Discrete-event replay of a plan on the accelerator. Reads workload, hardware, mapping and schedule records
 * only, re-derives every region a task needs, reports every {@link dev.sfd.simulation.Violation} and measures
 * cycles, energy, DRAM traffic and buffer occupancy.
 */
package dev.sfd.simulation;
