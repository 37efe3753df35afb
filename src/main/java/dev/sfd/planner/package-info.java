/**
 * Planners turn a {@link dev.sfd.planner.PlanRequest} into a {@link dev.sfd.schedule.Plan}: they choose segments
 * and mappings and end with the tile scheduler. The layer-by-layer baseline lives here; the SFD planner plugs in
 * through the same interface.
 */
package dev.sfd.planner;
