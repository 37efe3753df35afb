package dev.sfd.schedule;

/** No legal tile schedule exists for a plan (exit code 1): names the segment, the blocked task and the bytes. */
public final class InfeasiblePlanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InfeasiblePlanException(String message) {
        super(message);
    }

    public InfeasiblePlanException(ScheduleOutcome.Infeasible reason) {
        super(reason.message());
    }
}
