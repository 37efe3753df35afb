package dev.sfd.schedule;

import dev.sfd.workload.Box;
import dev.sfd.workload.LoopDim;

import java.util.List;
import java.util.Objects;

/**
 * One task of a segment's tile schedule.
 *
 * <ul>
 *   <li>LOAD: reads {@code region} of {@code tensor} from DRAM into buffer {@code allocates}.</li>
 *   <li>COMPUTE: runs the loop ranges {@code loops} (a rank-8 box indexed by {@link LoopDim#ordinal()}) of
 *       {@code operator}; {@code region} is the output tile it contributes to; on the first reduction step it
 *       allocates the output tile's buffer; {@code lastStep} marks the step that completes the tile.</li>
 *   <li>STORE: writes {@code region} of {@code tensor} from buffer {@code reads[0]} to DRAM.</li>
 *   <li>FREE: releases the buffers in {@code frees}.</li>
 * </ul>
 *
 * @param id identifier within the segment (dependencies refer to it)
 * @param kind what the task does
 * @param operator the operator the task belongs to
 * @param tensor the tensor moved or produced ("" for FREE)
 * @param region the tensor region moved or produced (rank 0 for FREE)
 * @param loops COMPUTE only: loop ranges of this step; otherwise null
 * @param lastStep COMPUTE only: this step completes its output tile
 * @param allocates buffer id allocated when the task starts, or -1
 * @param reads buffer ids the task reads (the planner's claim; the simulator re-derives what is needed)
 * @param frees FREE only: buffer ids released
 * @param deps ids of tasks that must finish before this one starts
 */
public record TileTask(int id, TaskKind kind, String operator, String tensor, Box region, Box loops, boolean lastStep,
                       int allocates, List<Integer> reads, List<Integer> frees, List<Integer> deps) {
    public TileTask {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(region, "region");
        if (kind == TaskKind.COMPUTE && (loops == null || loops.rank() != LoopDim.values().length)) {
            throw new IllegalArgumentException("compute task " + id + " needs loop ranges of rank 8");
        }
        reads = List.copyOf(reads);
        frees = List.copyOf(frees);
        deps = List.copyOf(deps);
    }

    /** A short human-readable name, e.g. {@code COMPUTE conv1 [0:1, 0:64, 0:8, 0:56]}. */
    public String label() {
        return kind == TaskKind.FREE ? "FREE " + operator + " buffers " + frees
                : kind + " " + operator + (kind == TaskKind.COMPUTE ? "" : " " + tensor) + " " + region;
    }

    /** A copy with other dependencies (used by tests that break plans). */
    public TileTask withDeps(List<Integer> newDeps) {
        return new TileTask(id, kind, operator, tensor, region, loops, lastStep, allocates, reads, frees, newDeps);
    }
}
