package dev.sfd.planner;

import dev.sfd.schedule.Plan;

/** Makes a complete plan (segments, mappings, tile schedules). */
public interface Planner {
    /** Name used by {@code --planner} and recorded in plans and reports. */
    String name();

    /**
     * @throws dev.sfd.schedule.InfeasiblePlanException when no legal plan exists (exit code 1)
     * @throws dev.sfd.mapping.MappingInfeasibleException when a layer cannot fit the buffer at all
     */
    Plan plan(PlanRequest request);
}
