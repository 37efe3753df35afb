/**
 * The analytical network segmenter: cuts the network into fused segments and picks one mapping per layer
 * from its Pareto front, under the global-buffer capacity. Solvers (exact DP, CP-SAT, Timefold) live in
 * sub-packages and return plain {@link dev.sfd.segmentation.Segmentation} records.
 */
package dev.sfd.segmentation;
