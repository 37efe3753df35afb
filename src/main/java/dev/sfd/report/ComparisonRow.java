package dev.sfd.report;

import java.util.Objects;

/**
 * One planner on one problem, as simulated: a row of {@code compare}, {@code bench} and {@code sweep} outputs
 * (docs/json-output.md, "compare").
 *
 * @param network network name
 * @param hardware hardware name
 * @param capacityBytes global-buffer capacity of the hardware
 * @param dramGBps DRAM bandwidth of the hardware, GB/s
 * @param planner planner name
 * @param latencyCycles simulated latency (0 when the planner failed)
 * @param boundRatio latency over the lower bound (NaN when failed)
 * @param sfdSpeedup this planner's latency over the SFD planner's on the same problem (NaN when either is missing)
 * @param dramBytes DRAM bytes read and written
 * @param energyPj energy
 * @param peakBufferBytes highest buffer occupancy
 * @param segments segments of the plan
 * @param optimizerSeconds planning time, mapping excluded
 * @param mappingSeconds time of the shared mapping of the problem
 * @param violations simulator violations
 * @param status the plan's status, or FAILED
 * @param evaluations candidate solutions scored by a search baseline (0 otherwise)
 * @param stop why a search baseline stopped ("" otherwise)
 * @param error why the planner failed ("" otherwise)
 */
public record ComparisonRow(String network, String hardware, long capacityBytes, double dramGBps, String planner,
                            long latencyCycles, double boundRatio, double sfdSpeedup, long dramBytes, double energyPj,
                            long peakBufferBytes, int segments, double optimizerSeconds, double mappingSeconds,
                            int violations, String status, long evaluations, String stop, String error) {
    public ComparisonRow {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hardware, "hardware");
        Objects.requireNonNull(planner, "planner");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(stop, "stop");
        Objects.requireNonNull(error, "error");
    }

    public boolean failed() {
        return !error.isEmpty();
    }
}
