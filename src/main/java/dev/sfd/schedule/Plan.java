package dev.sfd.schedule;

import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A complete, self-contained execution plan: the network it is for, the hardware it was made for (embedded),
 * the segments with one mapping per compute operator, and every segment's tile schedule. Written as
 * {@code sfd-plan/1} JSON (see docs/plan-format.md).
 *
 * @param network network reference
 * @param hardware the hardware the plan was made for
 * @param planner planner name ({@code layerwise}, ...)
 * @param solverStatus OPTIMAL, FEASIBLE or HEURISTIC
 * @param mappings chosen mapping per compute operator
 * @param segments segment schedules in execution order
 */
public record Plan(NetworkRef network, Hardware hardware, String planner, String solverStatus,
                   Map<String, Mapping> mappings, List<SegmentSchedule> segments) {
    public static final String FORMAT = "sfd-plan/1";

    public Plan {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(hardware, "hardware");
        Objects.requireNonNull(planner, "planner");
        Objects.requireNonNull(solverStatus, "solverStatus");
        mappings = Collections.unmodifiableMap(new LinkedHashMap<>(mappings));
        segments = List.copyOf(segments);
    }

    /** The operator names of every segment, in order. */
    public List<List<String>> segmentOperators() {
        return segments.stream().map(SegmentSchedule::operators).toList();
    }

    public Plan withHardware(Hardware hw) {
        return new Plan(network, hw, planner, solverStatus, mappings, segments);
    }

    public Plan withSegments(List<SegmentSchedule> newSegments) {
        return new Plan(network, hardware, planner, solverStatus, mappings, newSegments);
    }

    /** The same plan with its segments run strictly one after another: no prefetch, no predicted ends. */
    public Plan withoutPrefetches() {
        return withSegments(segments.stream().map(s -> s.placed(s.index(), SegmentSchedule.Prefetch.NONE, -1))
                .toList());
    }

    /**
     * The scheduler's predicted makespan: the last segment's predicted end when the plan carries one, else the sum of
     * the segments' own makespans (segments one after another).
     */
    public long predictedCycles() {
        if (!segments.isEmpty() && segments.get(segments.size() - 1).predictedEndCycle() >= 0) {
            return segments.get(segments.size() - 1).predictedEndCycle();
        }
        return sequentialCycles();
    }

    /** The sum of the segments' own makespans: the plan's latency were every segment to wait for the previous one. */
    public long sequentialCycles() {
        long c = 0;
        for (SegmentSchedule s : segments) {
            c += s.predictedCycles();
        }
        return c;
    }

    public long taskCount() {
        long n = 0;
        for (SegmentSchedule s : segments) {
            n += s.tasks().size();
        }
        return n;
    }
}
