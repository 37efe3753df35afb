package dev.sfd.schedule;

/** The result of scheduling one segment: an ordered schedule, or the reason no order fits the buffer. */
public sealed interface ScheduleOutcome {

    /** A schedule that never exceeds the buffer capacity under the scheduler's timing model. */
    record Scheduled(SegmentSchedule schedule) implements ScheduleOutcome {
    }

    /**
     * No task could start: every ready task's allocation would overflow the buffer and nothing is running that
     * could free space.
     *
     * @param segment segment index
     * @param task the highest-priority blocked task
     * @param neededBytes bytes that task allocates
     * @param freeBytes bytes free at that moment
     * @param capacityBytes buffer capacity
     */
    record Infeasible(int segment, String task, long neededBytes, long freeBytes, long capacityBytes)
            implements ScheduleOutcome {
        public String message() {
            return "segment " + segment + ": " + task + " needs (" + neededBytes + ") bytes but only (" + freeBytes
                    + ") of (" + capacityBytes + ") bytes of the global buffer are free and nothing running can free more";
        }
    }
}
