package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Typed access to a node's attributes with ONNX defaults. */
final class Attributes {
    private final Map<String, OnnxMl.AttributeProto> byName = new HashMap<>();

    Attributes(OnnxMl.NodeProto node) {
        for (OnnxMl.AttributeProto a : node.getAttributeList()) {
            byName.put(a.getName(), a);
        }
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    long i(String name, long def) {
        OnnxMl.AttributeProto a = byName.get(name);
        return a == null ? def : a.getI();
    }

    double f(String name, double def) {
        OnnxMl.AttributeProto a = byName.get(name);
        return a == null ? def : a.getF();
    }

    String s(String name, String def) {
        OnnxMl.AttributeProto a = byName.get(name);
        return a == null ? def : a.getS().toString(StandardCharsets.UTF_8);
    }

    Optional<List<Long>> ints(String name) {
        OnnxMl.AttributeProto a = byName.get(name);
        return a == null ? Optional.empty() : Optional.of(List.copyOf(a.getIntsList()));
    }

    Optional<List<Double>> floats(String name) {
        OnnxMl.AttributeProto a = byName.get(name);
        if (a == null) {
            return Optional.empty();
        }
        List<Double> out = new ArrayList<>();
        for (float v : a.getFloatsList()) {
            out.add((double) v);
        }
        return Optional.of(out);
    }

    Optional<OnnxMl.TensorProto> tensor(String name) {
        OnnxMl.AttributeProto a = byName.get(name);
        return a == null || !a.hasT() ? Optional.empty() : Optional.of(a.getT());
    }

    /** Ints attribute as ints, or {@code count} copies of {@code def}. */
    List<Integer> intList(String name, int count, int def) {
        List<Integer> out = new ArrayList<>();
        Optional<List<Long>> v = ints(name);
        if (v.isPresent() && !v.get().isEmpty()) {
            for (long x : v.get()) {
                out.add(Math.toIntExact(x));
            }
            return out;
        }
        for (int k = 0; k < count; k++) {
            out.add(def);
        }
        return out;
    }
}
