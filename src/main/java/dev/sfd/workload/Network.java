package dev.sfd.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated DNN workload: a DAG of operators over tensors. Operators are stored in a topological order.
 * Instances come from {@link NetworkBuilder}; they are immutable.
 */
public final class Network {
    private final String name;
    private final String source;
    private final int batch;
    private final Map<String, Tensor> tensors;
    private final List<Operator> operators;
    private final Map<String, Operator> operatorsByName;
    private final Map<String, Integer> topoIndex;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Operator> producers;
    private final Map<String, List<Operator>> consumers;
    private final Map<String, LoopNest> loopNests;

    Network(String name, String source, int batch, Map<String, Tensor> tensors, List<Operator> topoOrder,
            List<String> inputs, List<String> outputs, Map<String, LoopNest> loopNests) {
        this.name = Objects.requireNonNull(name, "name");
        this.source = source == null ? "" : source;
        this.batch = batch;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.operators = List.copyOf(topoOrder);
        Map<String, Operator> byName = new LinkedHashMap<>();
        Map<String, Integer> index = new HashMap<>();
        Map<String, Operator> prod = new HashMap<>();
        Map<String, List<Operator>> cons = new HashMap<>();
        for (int i = 0; i < operators.size(); i++) {
            Operator op = operators.get(i);
            byName.put(op.name(), op);
            index.put(op.name(), i);
            for (String out : op.outputs()) {
                prod.put(out, op);
            }
            for (String in : op.inputs()) {
                cons.computeIfAbsent(in, k -> new ArrayList<>()).add(op);
            }
        }
        this.operatorsByName = Collections.unmodifiableMap(byName);
        this.topoIndex = Map.copyOf(index);
        this.producers = Map.copyOf(prod);
        Map<String, List<Operator>> frozen = new HashMap<>();
        cons.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        this.consumers = Map.copyOf(frozen);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.loopNests = Map.copyOf(loopNests);
    }

    public String name() {
        return name;
    }

    /** Where the architecture and its figures come from (free text). */
    public String source() {
        return source;
    }

    public int batch() {
        return batch;
    }

    /** Operators in topological order. */
    public List<Operator> operators() {
        return operators;
    }

    public Operator operator(String opName) {
        Operator op = operatorsByName.get(opName);
        if (op == null) {
            throw new IllegalArgumentException("no operator '" + opName + "' in network " + name);
        }
        return op;
    }

    /** Position of the operator in {@link #operators()}. */
    public int topoIndex(String opName) {
        Integer i = topoIndex.get(opName);
        if (i == null) {
            throw new IllegalArgumentException("no operator '" + opName + "' in network " + name);
        }
        return i;
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Tensor tensor(String tensorName) {
        Tensor t = tensors.get(tensorName);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + tensorName + "' in network " + name);
        }
        return t;
    }

    /** Network input tensor names. */
    public List<String> inputs() {
        return inputs;
    }

    /** Network output tensor names. */
    public List<String> outputs() {
        return outputs;
    }

    public Optional<Operator> producer(String tensorName) {
        return Optional.ofNullable(producers.get(tensorName));
    }

    public List<Operator> consumers(String tensorName) {
        return consumers.getOrDefault(tensorName, List.of());
    }

    /** Operators producing this operator's inputs (no duplicates, topological order). */
    public List<Operator> predecessors(Operator op) {
        List<Operator> out = new ArrayList<>();
        for (String in : op.inputs()) {
            Operator p = producers.get(in);
            if (p != null && !out.contains(p)) {
                out.add(p);
            }
        }
        out.sort((a, b) -> Integer.compare(topoIndex(a.name()), topoIndex(b.name())));
        return out;
    }

    /** Operators consuming this operator's outputs (no duplicates, topological order). */
    public List<Operator> successors(Operator op) {
        List<Operator> out = new ArrayList<>();
        for (String o : op.outputs()) {
            for (Operator c : consumers(o)) {
                if (!out.contains(c)) {
                    out.add(c);
                }
            }
        }
        out.sort((a, b) -> Integer.compare(topoIndex(a.name()), topoIndex(b.name())));
        return out;
    }

    /** The loop nest of a compute operator; empty for layout operators. */
    public Optional<LoopNest> loopNest(String opName) {
        return Optional.ofNullable(loopNests.get(opName));
    }

    public long macs(Operator op) {
        return loopNest(op.name()).map(LoopNest::macs).orElse(0L);
    }

    public long vectorOps(Operator op) {
        return loopNest(op.name()).map(LoopNest::vectorOps).orElse(0L);
    }

    public long totalMacs() {
        long n = 0;
        for (Operator op : operators) {
            n += macs(op);
        }
        return n;
    }

    public long totalVectorOps() {
        long n = 0;
        for (Operator op : operators) {
            n += vectorOps(op);
        }
        return n;
    }

    /** Elements of all weight tensors; a shared weight counts once. */
    public long totalParameters() {
        long n = 0;
        for (Tensor t : tensors.values()) {
            if (t.isWeight()) {
                n += t.elements();
            }
        }
        return n;
    }

    /** Weight elements an operator reads (all of each weight tensor, except embedding lookups). */
    public long weightElementsRead(Operator op) {
        LoopNest nest = loopNests.get(op.name());
        long n = 0;
        for (String w : op.weights()) {
            n += tensor(w).elements();
        }
        if (nest == null || op.kind() != OpKind.EMBEDDING) {
            return n;
        }
        long rows = 0;
        for (Operand operand : nest.operands()) {
            if (operand.role() == Operand.Role.WEIGHT) {
                rows += nest.tileElements(operand, nest.bounds());
            }
        }
        return rows;
    }

    @Override
    public String toString() {
        return "Network[" + name + ", " + operators.size() + " operators]";
    }
}
