/**
 * Fusion baselines that SFD is compared against: {@code layerwise-fused} (elementwise epilogues fused into their
 * producer), {@code template} (fixed fusion templates with one shared tile shape), {@code greedy} (segments grown
 * along the topological order), {@code anneal} and {@code genetic} (searches over segmentations and mapping options).
 * All of them search the SFD planner's segmentation model, price candidate segments with its timeline engine
 * ({@link dev.sfd.segmentation.TilePricer}) and end with {@link dev.sfd.planner.PlanAssembler}.
 */
package dev.sfd.planner.baseline;
