package dev.sfd.schedule;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.DmaTiming;
import dev.sfd.cost.Mapping;
import dev.sfd.hardware.Hardware;
import dev.sfd.segmentation.TileTimeline;
import dev.sfd.segmentation.TileWalk;
import dev.sfd.workload.Box;
import dev.sfd.workload.Network;
import dev.sfd.workload.OpKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the tile task graph of one segment from its operators' mappings: one task per event of the segment's
 * {@link TileWalk} (LOAD, COMPUTE, STORE, FREE, same ids, same buffers), with the resource each needs and its
 * duration (compute step cycles from the cost model, DMA transfers by {@link DmaTiming}). The walk defines what
 * the tiles are and what they depend on; this class only gives them the schedule's types and timing.
 */
public final class TileGraphBuilder {
    private final TileWalk walk;
    private final Hardware hw;

    public TileGraphBuilder(Network net, CostModel cost) {
        this.walk = new TileWalk(net, cost);
        this.hw = Objects.requireNonNull(cost, "cost").hardware();
    }

    /**
     * @param index segment index
     * @param operators operator names of the segment
     * @param mappings mapping of every compute operator of the segment
     */
    public TaskGraph build(int index, List<String> operators, Map<String, Mapping> mappings) {
        return build(index, operators, mappings, Long.MAX_VALUE);
    }

    /**
     * As {@link #build(int, List, Map)}, for at most {@code maxTasks} tasks.
     *
     * @throws TileWalk.TooManyEvents when the segment has more tasks
     */
    public TaskGraph build(int index, List<String> operators, Map<String, Mapping> mappings, long maxTasks) {
        Tasks t = new Tasks();
        List<String> sorted = walk.walk(index, operators, mappings, t, maxTasks);
        long[] d = new long[t.durations.size()];
        long[] u = new long[t.durations.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.durations.get(i);
            u[i] = t.busy.get(i);
        }
        byte[] slices = new byte[d.length];
        for (int i = 0; i < slices.length; i++) {
            slices[i] = t.slices.get(i);
        }
        return new TaskGraph(index, sorted, t.buffers, t.tasks, t.resources, d, u, slices);
    }

    private final class Tasks implements TileWalk.Visitor {
        final List<TileTask> tasks = new ArrayList<>();
        final List<TaskResource> resources = new ArrayList<>();
        final List<Long> durations = new ArrayList<>();
        final List<Long> busy = new ArrayList<>();
        final List<Byte> slices = new ArrayList<>();
        final List<BufferSpec> buffers = new ArrayList<>();

        void add(TileTask task, TaskResource r, long cycles, long busyCycles) {
            if (task.id() != tasks.size()) {
                throw new IllegalStateException("tile walk event " + task.id() + " out of order");
            }
            tasks.add(task);
            resources.add(r);
            durations.add(cycles);
            busy.add(busyCycles);
            slices.add(TileTimeline.FIXED);
        }

        @Override
        public void buffer(int id, String tensor, Box region, long bytes) {
            buffers.add(new BufferSpec(id, tensor, region, bytes));
        }

        @Override
        public void load(int task, String operator, String tensor, Box region, int buffer, long bytes,
                         int prefetchDep, boolean weight) {
            add(new TileTask(task, TaskKind.LOAD, operator, tensor, region, null, false, buffer, List.of(), List.of(),
                    prefetchDep < 0 ? List.of() : List.of(prefetchDep)), TaskResource.DMA,
                    DmaTiming.transferCycles(hw, bytes), DmaTiming.busyCycles(hw, bytes));
            if (prefetchDep >= 0) {
                slices.set(task, weight ? TileTimeline.WEIGHT_SLICE : TileTimeline.OTHER_SLICE);
            }
        }

        @Override
        public void compute(int task, String operator, String outTensor, Box outBox, Box loops, boolean last,
                            int allocates, int[] reads, int[] deps, OpKind.ComputeUnit unit,
                            long cycles, long readBytes, long writeBytes) {
            add(new TileTask(task, TaskKind.COMPUTE, operator, outTensor, outBox, loops, last, allocates, list(reads),
                    List.of(), list(deps)), TaskResource.of(TaskKind.COMPUTE, unit), cycles, cycles);
        }

        @Override
        public void store(int task, String operator, String tensor, Box box, int buffer, long bytes, int dep) {
            add(new TileTask(task, TaskKind.STORE, operator, tensor, box, null, false, -1, List.of(buffer), List.of(),
                    List.of(dep)), TaskResource.DMA, DmaTiming.transferCycles(hw, bytes),
                    DmaTiming.busyCycles(hw, bytes));
        }

        @Override
        public void free(int task, String owner, String tensor, Box region, int buffer, int[] deps) {
            add(new TileTask(task, TaskKind.FREE, owner, tensor, region, null, false, -1, List.of(), List.of(buffer),
                    list(deps)), TaskResource.NONE, 0, 0);
        }

        private static List<Integer> list(int[] xs) {
            return java.util.Arrays.stream(xs).boxed().toList();
        }
    }
}
