package dev.sfd.schedule.cpsat;

/**
 * Reproducible solver settings.
 *
 * @param workers CP-SAT search workers
 * @param seed random seed
 * @param timeLimitSeconds wall-time limit; the best schedule so far is returned when it ends
 * @param deterministicSeconds CP-SAT's deterministic time limit (work counted, not wall time), 0 for none: with one
 *     worker the answer then does not depend on the machine's load
 */
public record TileScheduleSettings(int workers, int seed, double timeLimitSeconds, double deterministicSeconds) {
    public static final TileScheduleSettings DEFAULT = new TileScheduleSettings(2, 42, 10.0);

    /** Wall-time limit only. */
    public TileScheduleSettings(int workers, int seed, double timeLimitSeconds) {
        this(workers, seed, timeLimitSeconds, 0);
    }
}
