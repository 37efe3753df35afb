package dev.sfd.schedule.cpsat;

import java.util.List;

/**
 * Result of the exact tile-schedule model.
 *
 * @param status OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN (time limit without a solution)
 * @param makespanCycles best makespan found (-1 when none)
 * @param lowerBoundCycles the solver's proven lower bound on the makespan
 * @param startCycles start of every task (task id order), empty when none found
 * @param wallMillis solve time
 */
public record ExactSchedule(String status, long makespanCycles, long lowerBoundCycles, List<Long> startCycles,
                            long wallMillis) {
    public ExactSchedule {
        startCycles = List.copyOf(startCycles);
    }

    public boolean optimal() {
        return status.equals("OPTIMAL");
    }
}
