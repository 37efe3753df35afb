package dev.sfd.schedule;

import java.util.List;
import java.util.Objects;

/**
 * The tile schedule of one segment: its operators, its buffers and its tasks in issue order. The plan is one
 * program: tasks issue in order (a task starts once every earlier task has started, its dependencies have finished
 * and its resource is free), so the buffer occupancy at every start is fixed by the order alone.
 *
 * <p>A segment starts once every task of the previous segment has finished, except its prefetched tasks
 * ({@link Prefetch}): those leave the segment's order and issue in an earlier segment's (mostly the previous
 * one's), each right after the task its {@link Prefetch#after()} entry names (weights and inputs of later segments
 * streaming in while the current one computes and drains), each also waiting for the previous segment's tasks its
 * {@link Prefetch#waits()} name. Without a prefetch (the default) segments run strictly one after another.
 *
 * @param index position of the segment in the plan
 * @param operators operator names of the segment, topological order
 * @param buffers every GLB allocation of the segment
 * @param tasks tasks in issue order
 * @param predictedCycles makespan of the segment alone, predicted by the scheduler
 * @param predictedPeakBytes peak GLB occupancy of the segment alone, predicted by the scheduler
 * @param prefetch which tasks issue early, and where in the previous segment's order
 * @param predictedEndCycle cycle at which the plan's scheduler predicts the segment's last task finishes, counted
 *     from the start of the plan; -1 when not predicted
 */
public record SegmentSchedule(int index, List<String> operators, List<BufferSpec> buffers, List<TileTask> tasks,
                              long predictedCycles, long predictedPeakBytes, Prefetch prefetch,
                              long predictedEndCycle) {
    /**
     * Tasks of a segment that issue in an earlier segment's order: {@code tasks.get(i)} right after task
     * {@code after.get(i)} of segment {@code in.get(i)} (the previous segment when {@code in} is empty). They issue in
     * the order listed (a task's dependencies are listed before it), which need not be the segment's; the places are
     * among their segments' own (not prefetched) tasks and never go back along the list (an earlier segment, or the
     * same segment and not an earlier task): several tasks after one task issue one after another. Only tasks placed
     * in the previous segment may wait for its tasks.
     *
     * @param tasks ids of the segment's tasks issued early, in issue order
     * @param after per early task, the id of the task after which it issues
     * @param in per early task, the index of the segment that task belongs to; empty: the previous segment for all
     * @param waits cross-segment dependencies of the early tasks (a load of data the previous segment stores)
     */
    public record Prefetch(List<Integer> tasks, List<Integer> after, List<Integer> in, List<Wait> waits) {
        public static final Prefetch NONE = new Prefetch(List.of(), List.of(), List.of(), List.of());

        public Prefetch {
            tasks = List.copyOf(tasks);
            after = List.copyOf(after);
            in = List.copyOf(in);
            waits = List.copyOf(waits);
            if (tasks.size() != after.size() || !in.isEmpty() && in.size() != tasks.size()) {
                throw new IllegalArgumentException("prefetch of " + tasks.size() + " tasks with " + after.size()
                        + " places in " + (in.isEmpty() ? "the previous segment" : in.size() + " segments"));
            }
        }

        /** All in the previous segment. */
        public Prefetch(List<Integer> tasks, List<Integer> after, List<Wait> waits) {
            this(tasks, after, List.of(), waits);
        }

        /** The tasks issued one after another right after the previous segment's task {@code afterTask}. */
        public static Prefetch block(List<Integer> tasks, int afterTask, List<Wait> waits) {
            return new Prefetch(tasks, java.util.Collections.nCopies(tasks.size(), afterTask), waits);
        }

        /**
         * The same prefetch in its canonical form: {@code in} empty when every task is placed in the previous
         * segment ({@code segment - 1}).
         */
        public Prefetch canonical(int segment) {
            return in.stream().allMatch(h -> h == segment - 1) ? new Prefetch(tasks, after, List.of(), waits) : this;
        }

        /** The segment task {@code i} issues in, for a prefetch of segment {@code segment}. */
        public int host(int i, int segment) {
            return in.isEmpty() ? segment - 1 : in.get(i);
        }

        public boolean any() {
            return !tasks.isEmpty();
        }
    }

    /**
     * A prefetched task waits for a task of the previous segment to finish.
     *
     * @param task id of the prefetched task
     * @param on id of the previous segment's task it waits for
     */
    public record Wait(int task, int on) {
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
