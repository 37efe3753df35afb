/**
 * The analytical network segmenter: builds the solver-neutral {@link dev.sfd.segmentation.SegmentationModel}
 * from the per-layer mapping fronts (tensor lifetimes, line-buffer windows), and cuts the network into fused
 * segments with one mapping per layer under the global-buffer capacity. Solvers (exact DP, CP-SAT, Timefold)
 * live in sub-packages and return plain {@link dev.sfd.segmentation.Segmentation} records.
 */
package dev.sfd.segmentation;
