package dev.sfd.schedule;

import dev.sfd.segmentation.TileTimeline;

import java.util.List;

/**
 * The tile tasks of one segment before ordering: tasks in creation order (task id = position), their buffers,
 * and per task the resource it needs and its duration under the scheduler's timing model.
 *
 * @param index segment index
 * @param operators operators of the segment
 * @param buffers GLB allocations
 * @param tasks tasks, id = position
 * @param resources resource of each task
 * @param durations cycles from start to completion of each task
 * @param busyCycles cycles each task occupies its resource (less than its duration for pipelined DMA)
 * @param slices per task, {@link TileTimeline#WEIGHT_SLICE} or {@link TileTimeline#OTHER_SLICE} for a load whose
 *     dependencies only bound how far it runs ahead (the walk's prefetch depth), else {@link TileTimeline#FIXED}
 */
public record TaskGraph(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                        List<TaskResource> resources, long[] durations,
                        long[] busyCycles, byte[] slices) {
    public TaskGraph {
        operators = List.copyOf(operators);
        buffers = List.copyOf(buffers);
        tasks = List.copyOf(tasks);
        resources = List.copyOf(resources);
        if (slices.length != tasks.size()) {
            throw new IllegalArgumentException("segment " + index + ": " + slices.length + " slice classes for "
                    + tasks.size() + " tasks");
        }
    }

    /** A graph without prefetch-depth bounds (every task {@link TileTimeline#FIXED}). */
    public TaskGraph(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                     List<TaskResource> resources, long[] durations, long[] busyCycles) {
        this(index, operators, buffers, tasks, resources, durations, busyCycles, new byte[tasks.size()]);
    }

    /** The tasks as they run under {@code policy}: the loads whose bound it drops depend on nothing. */
    public List<TileTask> tasksUnder(TileTimeline.RunAhead policy) {
        if (policy == TileTimeline.RunAhead.DEPTH) {
            return tasks;
        }
        List<TileTask> out = new java.util.ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            TileTask t = tasks.get(i);
            out.add(policy.drops(slices[i]) ? t.withDeps(List.of()) : t);
        }
        return out;
    }

    public int size() {
        return tasks.size();
    }
}
