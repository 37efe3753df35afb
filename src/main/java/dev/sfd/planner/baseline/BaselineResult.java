package dev.sfd.planner.baseline;

import dev.sfd.schedule.Plan;

import java.util.Objects;

/**
 * A baseline's plan and how it was found.
 *
 * @param plan the scheduled plan
 * @param chosen the segments the baseline chose (operator names), before the assembler split any
 * @param searchCycles the baseline's own tile-level price of the segmentation it chose (before the assembler)
 * @param repairs segments the assembler had to split (the tile scheduler could not fit them)
 * @param evaluations candidate solutions scored (search baselines; the others count their pricing steps)
 * @param pricings distinct segments priced at tile level
 * @param stop why the search stopped: "done", "evaluation budget" or "time limit"
 * @param millis wall time of planning, mapping excluded
 */
public record BaselineResult(Plan plan, java.util.List<java.util.List<String>> chosen, long searchCycles, int repairs, long evaluations, long pricings, String stop,
                             long millis) {
    public BaselineResult {
        Objects.requireNonNull(plan, "plan");
        chosen = chosen.stream().map(java.util.List::copyOf).toList();
        Objects.requireNonNull(stop, "stop");
    }
}
