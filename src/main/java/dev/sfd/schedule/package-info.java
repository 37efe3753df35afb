/**
 * Tile schedules: the tile task graph of a segment (load, compute, store, free with explicit buffers), the
 * dependency-aware list scheduler that orders it under the buffer capacity, and the plan record that carries
 * segments, mappings and schedules to the simulator and to disk.
 */
package dev.sfd.schedule;
