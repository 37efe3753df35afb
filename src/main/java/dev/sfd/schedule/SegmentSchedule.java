package dev.sfd.schedule;

import java.util.List;
import java.util.Objects;

/**
 * The tile schedule of one segment: its operators, its buffers and its tasks in issue order. The simulator
 * issues tasks in this order (a task starts once every earlier task has started, its dependencies have finished
 * and its resource is free), so the buffer occupancy at every start is fixed by the order alone.
 *
 * @param index position of the segment in the plan
 * @param operators operator names of the segment, topological order
 * @param buffers every GLB allocation of the segment
 * @param tasks tasks in issue order
 * @param predictedCycles makespan predicted by the scheduler
 * @param predictedPeakBytes peak GLB occupancy predicted by the scheduler
 */
public record SegmentSchedule(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                              long predictedCycles, long predictedPeakBytes) {
    public SegmentSchedule {
        operators = List.copyOf(operators);
        buffers = List.copyOf(buffers);
        tasks = List.copyOf(Objects.requireNonNull(tasks, "tasks"));
    }

    public SegmentSchedule withTasks(List<TileTask> newTasks) {
        return new SegmentSchedule(index, operators, buffers, newTasks, predictedCycles, predictedPeakBytes);
    }

    public SegmentSchedule withBuffers(List<BufferSpec> newBuffers) {
        return new SegmentSchedule(index, operators, newBuffers, tasks, predictedCycles, predictedPeakBytes);
    }
}
