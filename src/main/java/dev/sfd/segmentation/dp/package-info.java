/**
 * The exact segmenter: dynamic programming over a topological order with contiguous, variable-length
 * segments and one mapping option per operator, optimal for that order under the
 * {@link dev.sfd.segmentation.SegmentationModel} semantics.
 */
package dev.sfd.segmentation.dp;
