package dev.sfd.schedule.cpsat;

/**
 * Reproducible solver settings.
 *
 * @param workers CP-SAT search workers
 * @param seed random seed
 * @param timeLimitSeconds wall-time limit; the best schedule so far is returned when it ends
 */
public record TileScheduleSettings(int workers, int seed, double timeLimitSeconds) {
    public static final TileScheduleSettings DEFAULT = new TileScheduleSettings(2, 42, 10.0);
}
