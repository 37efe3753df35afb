package dev.sfd.schedule;

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
 */
public record TaskGraph(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                        List<TaskResource> resources, long[] durations,
                        long[] busyCycles) {
    public TaskGraph {
        operators = List.copyOf(operators);
        buffers = List.copyOf(buffers);
        tasks = List.copyOf(tasks);
        resources = List.copyOf(resources);
    }

    public int size() {
        return tasks.size();
    }
}
