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
import java.util.Set;

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
 * layers, with the layout views between their operators) are then walked once.
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
    private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
    /** The walks {@link #work} has counted (structure keys, else segment keys). */
    private final Set<Object> counted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Per walked segment, the walk it has: its structure key, else its own key (recorded when first walked). */
    private final Map<Key, Object> walkOf = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    private final Objective objective;
    /** Per operator, {@link #fixedEnergyPj} (made on first use). */
    private volatile double[] fixedEnergy;

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
        this(net, cost, input, maxTasks, threads, Objective.LATENCY);
    }

    /**
     * A pricer in {@code objective} (latency, DRAM bytes or energy; {@link SegmentPricer}): the walks and analyses are
     * the same, only the figure a price reads from them differs.
     */
    public TilePricer(Network net, CostModel cost, SegmentationInput input, int maxTasks, int threads,
                      Objective objective) {
        this.objective = Objects.requireNonNull(objective, "objective");
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
        if (a.isEmpty()) {
            work.incrementAndGet();
        } else {
            Object walk = walkOf.get(new Key(List.copyOf(operators), List.copyOf(choices)));
            if (counted.add(walk)) {
                work.addAndGet(Math.max(1, a.get().tasks()));
            }
        }
        return a.filter(SegmentAnalyzer.Analysis::feasible)
                .map(x -> objective.value(x.cycles(), x.dramBytes(), x.energyPj()))
                .orElse(Double.POSITIVE_INFINITY);
    }

    @Override
    public Objective objective() {
        return objective;
    }

    /**
     * The least over the operator's options of the energy its MACs or vector operations and their PE accesses take
     * in the cost model: the walk spends that on every point of the operator's iteration space, whatever its tiles.
     */
    @Override
    public double fixedEnergyPj(SegmentationModel model, int operator) {
        double[] f = fixedEnergy;
        if (f == null) {
            f = new double[input.operators().size()];
            for (int op = 0; op < f.length; op++) {
                double least = Double.POSITIVE_INFINITY;
                for (int o = 0; o < input.model().operators().get(op).options().size(); o++) {
                    Optional<Mapping> m = input.mapping(op, o);
                    if (m.isPresent()) {
                        dev.sfd.cost.EnergyBreakdown e = cost.evaluate(net, input.operators().get(op), m.get())
                                .energy();
                        least = Math.min(least, e.macPj() + e.vectorPj() + e.peAccessPj());
                    }
                }
                f[op] = Double.isInfinite(least) ? 0 : least;
            }
            fixedEnergy = f;
        }
        return f[operator];
    }

    /** Each DRAM byte is read or written once in DRAM and once in the global buffer, at the cheaper of either way. */
    @Override
    public double leastPjPerDramByte() {
        var hw = cost.hardware();
        return Math.min(hw.dram().readEnergyPjPerByte(), hw.dram().writeEnergyPjPerByte())
                + Math.min(hw.globalBuffer().readEnergyPjPerByte(), hw.globalBuffer().writeEnergyPjPerByte());
    }

    /**
     * Tile events of the distinct walks behind the prices asked for: a walk counts once, the first time its segment
     * or a structurally identical one ({@link #structureKey}) is priced, whichever worker walked it; a segment beyond
     * the event limit counts one each time.
     */
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

    /** Segments refused for the limit in force that the pricer's own maximum would have walked or priced. */
    @Override
    public long refusals() {
        return refused.get();
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
        Optional<SegmentAnalyzer.Analysis> walk = walked(operators, choices);
        Optional<SegmentAnalyzer.Analysis> a = withinLimit(walk, operators.size(), taskLimit);
        if (a.isEmpty() && walk.isPresent() && walk.get().tasks() <= maxTasks) {
            refused.incrementAndGet();
        }
        return a;
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
                walkOf.put(key, structure);
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
            if (2 * estimate <= maxTasks) {
                refused.incrementAndGet();
            }
            return Optional.empty();
        }
        Optional<SegmentAnalyzer.Analysis> result = Optional.of(analyzer.analyze(0, names, mappings));
        walkOf.put(key, structure != null ? structure : key);
        cache.put(key, result);
        if (structure != null) {
            byStructure.put(structure, result);
        }
        pricings.incrementAndGet();
        nanos.addAndGet(System.nanoTime() - start);
        return result;
    }

    /**
     * A key equal for segments whose tile walks are the same events up to names, or null when a compute operator has
     * no mapping. Layout operators (views) of the segment are left out: the walk runs the compute operators only and
     * reads through views wherever they sit. Per compute operator in topological order: kind, attributes, loop nest
     * (unit, bounds, ops per point, operand roles and axis expressions, output axes, whole dims), and the mapping
     * without its name; per operand tensor its shape and role and where its data comes from ({@link #source}: through
     * any chain of views, down to an operator of the segment and which of its outputs, or a tensor from outside,
     * numbered by first use); per output whether it reaches a network output (through views), whether a compute
     * operator outside the segment reads it (through views) and which ones inside do. Everything else the walk and the
     * analysis read is the hardware, which one pricer shares.
     */
    List<Object> structureKey(List<Integer> operators, List<Integer> choices) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < operators.size(); i++) {
            if (net.loopNest(input.operators().get(operators.get(i)).name()).isPresent()) {
                order.add(i);
            }
        }
        order.sort(java.util.Comparator.comparingInt(
                i -> net.topoIndex(input.operators().get(operators.get(i)).name())));
        Map<String, Integer> local = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            local.put(input.operators().get(operators.get(order.get(i))).name(), i);
        }
        Map<String, Integer> outside = new HashMap<>();
        List<Object> out = new ArrayList<>();
        for (int at : order) {
            String name = input.operators().get(operators.get(at)).name();
            dev.sfd.workload.Operator op = net.operator(name);
            dev.sfd.workload.LoopNest n = net.loopNest(name).orElseThrow();
            Optional<Mapping> m = input.mapping(operators.get(at), choices.get(at));
            if (m.isEmpty()) {
                return null;
            }
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
                source(t.name(), local, outside, out);
            }
            for (String o : op.outputs()) {
                out.add(dev.sfd.workload.TensorViews.reachesOutput(net, o));
                List<Integer> inside = new ArrayList<>();
                boolean readOutside = false;
                for (dev.sfd.workload.Operator c : dev.sfd.workload.TensorViews.computeConsumers(net, o)) {
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

    /**
     * Where the data of {@code tensor} comes from, appended to {@code out}: a view's kind, attributes, output index
     * and the shape, role and source of each input (all its outputs' shapes too: a split's parts place each other),
     * which is everything {@link dev.sfd.workload.TensorViews#resolve} reads; else the producing operator of the
     * segment and which of its outputs, or the tensor's number among those from outside.
     */
    private void source(String tensor, Map<String, Integer> local, Map<String, Integer> outside, List<Object> out) {
        Optional<dev.sfd.workload.Operator> producer = net.producer(tensor);
        if (producer.isPresent() && net.loopNest(producer.get().name()).isEmpty()) {
            dev.sfd.workload.Operator view = producer.get();
            out.add("view");
            out.add(view.kind());
            out.add(view.params());
            out.add(view.outputs().indexOf(tensor));
            for (String o : view.outputs()) {
                out.add(net.tensor(o).shape());
            }
            out.add(view.inputs().size());
            for (String in : view.inputs()) {
                var t = net.tensor(in);
                out.add(t.shape());
                out.add(t.role());
                source(in, local, outside, out);
            }
            return;
        }
        Integer from = producer.map(p -> local.get(p.name())).orElse(null);
        if (from != null) {
            out.add("in");
            out.add(from);
            out.add(producer.get().outputs().indexOf(tensor));
        } else {
            out.add("out");
            out.add(outside.computeIfAbsent(tensor, x -> outside.size()));
        }
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
