/**
 * The memory-centric mapper: the mapping design space of one layer (spatial unrolling, GLB tile sizes, outer
 * loop order, double buffering), the Pareto front of (footprint, cycles, DRAM bytes) per layer, and the
 * exhaustive reference and heuristic baseline mappers. All results are plain immutable records.
 */
package dev.sfd.mapping;
