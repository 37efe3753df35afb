package dev.sfd.schedule;

import java.util.List;
import java.util.Objects;

/**
 * The tile schedule of one segment: its operators, its buffers and its tasks in issue order. The plan is one
 * program: tasks issue in order (a task starts once every earlier task has started, its dependencies have finished
 * and its resource is free), so the buffer occupancy at every start is fixed by the order alone.
 *
 * <p>A segment starts once every task of the previous segment has finished, except its first
 * {@link Prefetch#tasks()} tasks: those issue right after the previous segment's task {@link Prefetch#afterTask()},
 * in order with that segment's tasks (weights and inputs of the next segment streaming in while the previous one
 * computes and drains), each also waiting for the previous segment's tasks its {@link Prefetch#waits()} name.
 * Without a prefetch (the default) segments run strictly one after another.
 *
 * @param index position of the segment in the plan
 * @param operators operator names of the segment, topological order
 * @param buffers every GLB allocation of the segment
 * @param tasks tasks in issue order
 * @param predictedCycles makespan of the segment alone, predicted by the scheduler
 * @param predictedPeakBytes peak GLB occupancy of the segment alone, predicted by the scheduler
 * @param prefetch how many leading tasks issue early, and after which task of the previous segment
 * @param predictedEndCycle cycle at which the plan's scheduler predicts the segment's last task finishes, counted
 *     from the start of the plan; -1 when not predicted
 */
public record SegmentSchedule(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                              long predictedCycles, long predictedPeakBytes, Prefetch prefetch,
                              long predictedEndCycle) {
    /**
     * The first {@code tasks} tasks of a segment issue right after task {@code afterTask} of the previous segment.
     *
     * @param tasks leading tasks issued early (0: none)
     * @param afterTask id of the previous segment's task after which they issue (-1 when {@code tasks} is 0)
     * @param waits cross-segment dependencies of the early tasks: {@code {task id, previous segment's task id}}
     *     pairs, the first waiting for the second to finish (a load of data the previous segment stores)
     */
    public record Prefetch(int tasks, int afterTask, List<int[]> waits) {
        public static final Prefetch NONE = new Prefetch(0, -1, List.of());

        public Prefetch {
            waits = List.copyOf(waits);
        }

        public boolean any() {
            return tasks > 0;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Prefetch p) || p.tasks != tasks || p.afterTask != afterTask
                    || p.waits.size() != waits.size()) {
                return false;
            }
            for (int i = 0; i < waits.size(); i++) {
                if (!java.util.Arrays.equals(waits.get(i), p.waits.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 31 * tasks + afterTask;
            for (int[] w : waits) {
                h = 31 * h + java.util.Arrays.hashCode(w);
            }
            return h;
        }

        @Override
        public String toString() {
            return "Prefetch[tasks=" + tasks + ", afterTask=" + afterTask + ", waits="
                    + waits.stream().map(java.util.Arrays::toString).toList() + "]";
        }
    }

    public SegmentSchedule {
        operators = List.copyOf(operators);
        buffers = List.copyOf(buffers);
        tasks = List.copyOf(Objects.requireNonNull(tasks, "tasks"));
        Objects.requireNonNull(prefetch, "prefetch");
    }

    /** A segment that runs after the previous one has finished, its end not predicted. */
    public SegmentSchedule(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                           long predictedCycles, long predictedPeakBytes) {
        this(index, operators, buffers, tasks, predictedCycles, predictedPeakBytes, Prefetch.NONE, -1);
    }

    public SegmentSchedule withTasks(List<TileTask> newTasks) {
        return new SegmentSchedule(index, operators, buffers, newTasks, predictedCycles, predictedPeakBytes, prefetch,
                predictedEndCycle);
    }

    public SegmentSchedule withBuffers(List<BufferSpec> newBuffers) {
        return new SegmentSchedule(index, operators, newBuffers, tasks, predictedCycles, predictedPeakBytes, prefetch,
                predictedEndCycle);
    }

    /** The same schedule at plan position {@code newIndex}, with the given prefetch and predicted end. */
    public SegmentSchedule placed(int newIndex, Prefetch newPrefetch, long endCycle) {
        return new SegmentSchedule(newIndex, operators, buffers, tasks, predictedCycles, predictedPeakBytes,
                newPrefetch, endCycle);
    }
}
