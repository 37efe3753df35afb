package dev.sfd.segmentation;

import dev.sfd.cost.CostModel;
import dev.sfd.cost.LowerBounds;
import dev.sfd.cost.Mapping;
import dev.sfd.workload.Network;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Prices segments with the planner's timeline engine ({@link SegmentAnalyzer}: the tile walk, ordered and timed as
 * the tile scheduler will), and keeps every analysis it made, so the planner can report the prediction of each
 * segment it schedules. Fused segments whose walk would exceed {@code maxTasks} tile events are not walked and price
 * as infeasible (the scheduler would not run them either); an operator alone is always priced. A segmenter may
 * lower that limit for a while ({@link #limitTasks}, the planner's DP by rising segment size); walks already made
 * stay cached whatever their size.
 *
 * <p>Analyses are also shared between <b>structurally identical segments</b> ({@link #structureKey}): the same
 * operators (kind, attributes, loop nest, tensor shapes and roles) with the same mappings, wired the same way inside
 * the segment, reading and writing DRAM at the same places. Their walks are the same events with other names, so the
 * analysis (which holds no names) is the same; a network's repeated blocks (ResNet's bottlenecks, a transformer's
 * layers) are then walked once. Segments that touch a layout operator (a view) are not shared: what a view reads
 * depends on tensors outside the segment.
 */
public final class TilePricer implements SegmentPricer {
    private final SegmentationInput input;
    private final SegmentAnalyzer analyzer;
    private final CostModel cost;
    private final Network net;
    private final int maxTasks;
    /** The limit in force (at most {@link #maxTasks}): a segmenter may price with a smaller one first. */
    private volatile int taskLimit;
    private final Map<Key, Optional<SegmentAnalyzer.Analysis>> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<List<Object>, Optional<SegmentAnalyzer.Analysis>> byStructure =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong shared = new java.util.concurrent.atomic.AtomicLong();
    private final int threads;
    private final java.util.concurrent.atomic.AtomicLong pricings = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong work = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();

    private record Key(List<Integer> operators, List<Integer> choices) {
    }

    /**
     * @param net the network
     * @param cost the cost model (its hardware is the accelerator)
     * @param input the segmentation model with the mapping behind every option
     * @param maxTasks largest walk (tile events) priced
     * @param threads segments priced at once by {@link #priceAll}
     */
    public TilePricer(Network net, CostModel cost, SegmentationInput input, int maxTasks, int threads) {
        this.net = Objects.requireNonNull(net, "net");
        this.cost = Objects.requireNonNull(cost, "cost");
        this.input = Objects.requireNonNull(input, "input");
        this.analyzer = new SegmentAnalyzer(new TileWalk(net, cost));
        this.maxTasks = maxTasks;
        this.taskLimit = maxTasks;
        this.threads = Math.max(1, threads);
    }

    @Override
    public double[] priceAll(List<List<Integer>> operators, List<List<Integer>> choices) {
        if (threads == 1 || operators.size() < 2) {
            return SegmentPricer.super.priceAll(operators, choices);
        }
        double[] out = new double[operators.size()];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(threads, operators.size()), r -> {
                    Thread t = new Thread(r, "sfd-pricer");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<Double>> futures = new ArrayList<>();
            for (int i = 0; i < out.length; i++) {
                final int k = i;
                futures.add(pool.submit(() -> price(operators.get(k), choices.get(k))));
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = futures.get(i).get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("pricing interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    @Override
    public double price(List<Integer> operators, List<Integer> choices) {
        Optional<SegmentAnalyzer.Analysis> a = analysis(operators, choices);
        work.addAndGet(a.map(x -> Math.max(1, x.tasks())).orElse(1L));
        return a.filter(SegmentAnalyzer.Analysis::feasible).map(x -> (double) x.cycles())
                .orElse(Double.POSITIVE_INFINITY);
    }

    /** Tile events of the walks behind every price asked for (a segment beyond the event limit counts one). */
    @Override
    public long work() {
        return work.get();
    }

    /**
     * The segment with producer and consumer tiles aligned ({@link SegmentationInput#alignedChoices}), starting from
     * the first operator's best option alone (option 0).
     */
    @Override
    public List<List<Integer>> alternatives(List<Integer> operators, List<Integer> choices) {
        List<Integer> fromBest = new ArrayList<>(choices);
        fromBest.set(0, 0);
        fromBest = input.alignedChoices(operators, fromBest);
        return fromBest.equals(choices) ? List.of() : List.of(fromBest);
    }

    /**
     * The elements the consumer's loop nest reads of the tensor ({@link LowerBounds#elementsRead}: a strided window
     * skips some, a layout view reads none itself) at the model's bytes per element: the walk loads every element a
     * tile needs, and a tile needs every element some window lands on.
     */
    @Override
    public long leastLoadBytes(SegmentationModel model, int tensor, int consumer) {
        SegmentationModel.TensorEdge t = model.tensors().get(tensor);
        long all = net.tensor(t.name()).elements();
        long read = Math.min(all, LowerBounds.elementsRead(net, input.operators().get(consumer), t.name()));
        return read == all ? t.bytes() : (long) Math.floor((double) t.bytes() * read / Math.max(1, all));
    }

    /** A compute operator stores all of a tensor that leaves its segment; a layout view stores nothing itself. */
    @Override
    public long leastStoreBytes(SegmentationModel model, int tensor) {
        SegmentationModel.TensorEdge t = model.tensors().get(tensor);
        return t.producer() >= 0 && net.loopNest(input.operators().get(t.producer()).name()).isEmpty() ? 0 : t.bytes();
    }

    @Override
    public int taskLimit() {
        return taskLimit;
    }

    @Override
    public int limitTasks(int limit) {
        taskLimit = Math.max(1, Math.min(maxTasks, limit));
        return taskLimit;
    }

    /**
     * The analysis of a segment (cached); empty when it has more tile events than the limit in force
     * ({@link #limitTasks}). Walks are cached whatever their size, so raising the limit does not walk them again.
     */
    public Optional<SegmentAnalyzer.Analysis> analysis(List<Integer> operators, List<Integer> choices) {
        return withinLimit(walked(operators, choices), operators.size(), taskLimit);
    }

    private static Optional<SegmentAnalyzer.Analysis> withinLimit(Optional<SegmentAnalyzer.Analysis> a, int size,
                                                                   int limit) {
        // an operator alone is always priced (the layer-by-layer plan runs it whatever its size)
        return size > 1 && a.isPresent() && a.get().tasks() > limit ? Optional.empty() : a;
    }

    /** The cached analysis of a segment, walked when the limit in force allows; empty when it was not walked. */
    private Optional<SegmentAnalyzer.Analysis> walked(List<Integer> operators, List<Integer> choices) {
        int limit = taskLimit;
        Key key = new Key(List.copyOf(operators), List.copyOf(choices));
        Optional<SegmentAnalyzer.Analysis> hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        long start = System.nanoTime();
        List<Object> structure = structureKey(operators, choices);
        if (structure != null) {
            Optional<SegmentAnalyzer.Analysis> same = byStructure.get(structure);
            if (same != null) {
                cache.put(key, same);
                shared.incrementAndGet();
                return same;
            }
        }
        List<String> names = new ArrayList<>(operators.size());
        Map<String, Mapping> mappings = new HashMap<>();
        long estimate = 0;
        for (int k = 0; k < operators.size(); k++) {
            int op = operators.get(k);
            names.add(input.operators().get(op).name());
            Optional<Mapping> m = input.mapping(op, choices.get(k));
            if (m.isPresent()) {
                mappings.put(m.get().operator(), m.get());
                estimate += cost.evaluate(net, input.operators().get(op), m.get()).tiles();
            }
        }
        // a walk has a compute event per tile and about as many loads, stores and frees again: a fused segment
        // estimated above the limit is not walked (nor cached, so a higher limit walks it)
        if (operators.size() > 1 && 2 * estimate > limit) {
            return Optional.empty();
        }
        Optional<SegmentAnalyzer.Analysis> result = Optional.of(analyzer.analyze(0, names, mappings));
        cache.put(key, result);
        if (structure != null) {
            byStructure.put(structure, result);
        }
        pricings.incrementAndGet();
        nanos.addAndGet(System.nanoTime() - start);
        return result;
    }

    /**
     * A key equal for segments whose tile walks are the same events up to names, or null when the segment touches a
     * layout operator. Per operator in topological order: kind, attributes, loop nest (unit, bounds, ops per point,
     * operand roles and axis expressions, output axes, whole dims), and the mapping without its name; per operand
     * tensor its shape and role and where it comes from (which operator of the segment and which of its outputs, or
     * outside, numbered by first use); per output whether the network returns it, whether an operator outside the
     * segment reads it and which operators inside do. Everything else the walk and the analysis read is the hardware,
     * which one pricer shares.
     */
    List<Object> structureKey(List<Integer> operators, List<Integer> choices) {
        int k = operators.size();
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt(
                i -> net.topoIndex(input.operators().get(operators.get(i)).name())));
        Map<String, Integer> local = new HashMap<>();
        for (int i = 0; i < k; i++) {
            local.put(input.operators().get(operators.get(order[i])).name(), i);
        }
        Map<String, Integer> outside = new HashMap<>();
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            int at = order[i];
            String name = input.operators().get(operators.get(at)).name();
            dev.sfd.workload.Operator op = net.operator(name);
            Optional<dev.sfd.workload.LoopNest> nest = net.loopNest(name);
            Optional<Mapping> m = input.mapping(operators.get(at), choices.get(at));
            if (nest.isEmpty() || m.isEmpty()) {
                return null;
            }
            dev.sfd.workload.LoopNest n = nest.get();
            out.add(op.kind());
            out.add(op.params());
            out.add(n.unit());
            out.add(n.bounds());
            out.add(n.opsPerPoint());
            out.add(n.outputAxes());
            out.add(n.wholeDims());
            Mapping mm = m.get();
            out.add(List.of(mm.tile(), mm.spatial(), mm.outerOrder(), mm.doubleBuffered()));
            for (dev.sfd.workload.Operand operand : n.operands()) {
                out.add(operand.role());
                out.add(operand.axes());
                var t = net.tensor(operand.tensor());
                out.add(t.shape());
                out.add(t.role());
                Optional<dev.sfd.workload.Operator> producer = net.producer(t.name());
                if (producer.isPresent() && net.loopNest(producer.get().name()).isEmpty()) {
                    return null; // a view: what it reads lies outside the segment's own operators
                }
                Integer from = producer.map(p -> local.get(p.name())).orElse(null);
                if (from != null) {
                    out.add("in");
                    out.add(from);
                    out.add(producer.get().outputs().indexOf(t.name()));
                } else {
                    out.add("out");
                    out.add(outside.computeIfAbsent(t.name(), x -> outside.size()));
                }
            }
            for (String o : op.outputs()) {
                out.add(net.outputs().contains(o));
                List<Integer> inside = new ArrayList<>();
                boolean readOutside = false;
                for (dev.sfd.workload.Operator c : net.consumers(o)) {
                    if (net.loopNest(c.name()).isEmpty()) {
                        return null; // read through a view
                    }
                    Integer j = local.get(c.name());
                    if (j == null) {
                        readOutside = true;
                    } else {
                        inside.add(j);
                    }
                }
                java.util.Collections.sort(inside);
                out.add(readOutside);
                out.add(inside);
            }
        }
        return out;
    }

    /** Segments whose analysis was shared with a structurally identical one ({@link #structureKey}). */
    public long shared() {
        return shared.get();
    }

    /** Segments priced so far (distinct). */
    public long pricings() {
        return pricings.get();
    }

    /** Time spent pricing, in milliseconds. */
    public long millis() {
        return nanos.get() / 1_000_000;
    }

    public SegmentationInput input() {
        return input;
    }
}
