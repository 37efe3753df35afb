package dev.sfd.simulation;

import dev.sfd.cost.EnergyBreakdown;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulator measured and found.
 *
 * @param cycles makespan of the whole plan
 * @param energy energy by component
 * @param dramReadBytes bytes read from DRAM
 * @param dramWriteBytes bytes written to DRAM
 * @param dramReadBytesByTensor bytes read per tensor
 * @param dramWriteBytesByTensor bytes written per tensor
 * @param peakBufferBytes highest GLB occupancy
 * @param occupancyCycles times at which the occupancy changed
 * @param occupancyBytes occupancy from that time on
 * @param busyCycles busy cycles per resource (DMA summed over engines)
 * @param utilisation busy fraction per resource (PE_ARRAY, VECTOR, DMA)
 * @param segments per-segment timing and peak
 * @param violations every broken rule, in order of discovery
 * @param events simulator events processed (task starts and completions)
 * @param spans executed tasks (only when recording was asked for)
 */
public record SimulationResult(long cycles, EnergyBreakdown energy, long dramReadBytes, long dramWriteBytes,
                               Map<String, Long> dramReadBytesByTensor, Map<String, Long> dramWriteBytesByTensor,
                               long peakBufferBytes, long[] occupancyCycles, long[] occupancyBytes,
                               Map<String, Long> busyCycles, Map<String, Double> utilisation,
                               List<SegmentResult> segments, List<Violation> violations, long events,
                               List<Span> spans) {
    public SimulationResult {
        dramReadBytesByTensor = Collections.unmodifiableMap(new LinkedHashMap<>(dramReadBytesByTensor));
        dramWriteBytesByTensor = Collections.unmodifiableMap(new LinkedHashMap<>(dramWriteBytesByTensor));
        busyCycles = Collections.unmodifiableMap(new LinkedHashMap<>(busyCycles));
        utilisation = Collections.unmodifiableMap(new LinkedHashMap<>(utilisation));
        segments = List.copyOf(segments);
        violations = List.copyOf(violations);
        spans = List.copyOf(spans);
    }

    public boolean legal() {
        return violations.isEmpty();
    }

    /**
     * What one segment took.
     *
     * @param index segment index
     * @param startCycle cycle its first task started (before {@code previousEndCycle} when it prefetched)
     * @param endCycle cycle its last task finished
     * @param previousEndCycle cycle the previous segment's last task finished (0 for the first segment)
     * @param peakBufferBytes highest GLB occupancy during the segment
     * @param dramReadBytes bytes the segment loaded from DRAM
     * @param dramWriteBytes bytes the segment stored to DRAM
     * @param energyPj energy of the segment, leakage from the previous segment's end to its own end included
     */
    public record SegmentResult(int index, long startCycle, long endCycle, long previousEndCycle,
                                long peakBufferBytes, long dramReadBytes, long dramWriteBytes, double energyPj) {
        /**
         * The cycles the segment adds to the plan: from the previous segment's end to its own (the segments' cycles
         * sum to the plan's latency). Without a prefetch, its span.
         */
        public long cycles() {
            return endCycle - previousEndCycle;
        }

        /** From its first task's start to its last task's end (overlaps the previous segment when it prefetched). */
        public long spanCycles() {
            return endCycle - startCycle;
        }
    }

    /**
     * One executed task.
     *
     * @param resource PE_ARRAY, VECTOR, DMA0.., or NONE
     * @param name task label
     * @param segment segment index
     * @param startCycle start
     * @param endCycle end
     */
    public record Span(String resource, String name, int segment, long startCycle, long endCycle) {
    }
}
