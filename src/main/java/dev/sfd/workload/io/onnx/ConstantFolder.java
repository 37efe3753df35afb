package dev.sfd.workload.io.onnx;

import ai.onnx.proto.OnnxMl;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * Folds nodes whose inputs are all constants: the shape arithmetic exporters emit around Reshape
 * (Shape → Gather/Slice → Unsqueeze → Concat), Cast, and weight preprocessing. Values are computed when the
 * inputs' values are known; otherwise only the dims (enough for a weight's size).
 */
final class ConstantFolder {
    private ConstantFolder() {
    }

    static Optional<ConstTensor> fold(OnnxMl.NodeProto n, Attributes a, long opset,
                                      Function<String, ConstTensor> in) {
        List<ConstTensor> ins = new ArrayList<>();
        for (String name : n.getInputList()) {
            ins.add(name.isEmpty() ? null : in.apply(name));
        }
        ConstTensor x = ins.get(0);
        return Optional.ofNullable(switch (n.getOpType()) {
            case "Identity", "Cast", "Dropout" -> x;
            case "Add", "Sum" -> elementwise(ins, Double::sum);
            case "Sub" -> elementwise(ins, (p, q) -> p - q);
            case "Mul" -> elementwise(ins, (p, q) -> p * q);
            case "Div" -> elementwise(ins, ConstantFolder::divide);
            case "Max" -> elementwise(ins, Math::max);
            case "Min" -> elementwise(ins, Math::min);
            case "Pow" -> elementwise(ins, Math::pow);
            case "Neg" -> unary(x, v -> -v);
            case "Sqrt" -> unary(x, Math::sqrt);
            case "Abs" -> unary(x, Math::abs);
            case "Floor" -> unary(x, Math::floor);
            case "Ceil" -> unary(x, Math::ceil);
            case "Relu" -> unary(x, v -> Math.max(0, v));
            case "Reciprocal" -> unary(x, v -> 1 / v);
            case "Unsqueeze", "Squeeze", "Flatten", "Reshape" -> reshaped(n, a, opset, ins);
            case "Concat" -> concat(ins, (int) a.i("axis", 0));
            case "Gather" -> gather(x, ins.get(1), (int) a.i("axis", 0));
            case "Slice" -> slice(n, a, opset, ins);
            case "Transpose" -> transpose(x, a);
            case "ConstantOfShape" -> constantOfShape(x, a);
            default -> null;
        });
    }

    /** ONNX integer Div truncates; shape arithmetic only ever divides exactly, so plain division is kept. */
    private static double divide(double p, double q) {
        return p / q;
    }

    private static List<Integer> broadcast(List<Integer> p, List<Integer> q) {
        int rank = Math.max(p.size(), q.size());
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            int a = i - (rank - p.size()) >= 0 ? p.get(i - (rank - p.size())) : 1;
            int b = i - (rank - q.size()) >= 0 ? q.get(i - (rank - q.size())) : 1;
            if (a != b && a != 1 && b != 1) {
                throw new IllegalArgumentException("constant shapes " + p + " and " + q + " do not broadcast");
            }
            out.add(a == 1 ? b : a);
        }
        return out;
    }

    private static ConstTensor elementwise(List<ConstTensor> ins, DoubleBinaryOperator f) {
        ConstTensor acc = ins.get(0);
        for (int k = 1; k < ins.size(); k++) {
            ConstTensor b = ins.get(k);
            List<Integer> dims = broadcast(acc.dims(), b.dims());
            ConstTensor shapeOnly = new ConstTensor(dims, null);
            if (!acc.known() || !b.known() || shapeOnly.elements() > TensorDecoder.MAX_DECODED) {
                acc = shapeOnly;
                continue;
            }
            int n = (int) shapeOnly.elements();
            double[] v = new double[n];
            boolean simple = acc.values().length == n && b.values().length == n || acc.values().length == 1
                    || b.values().length == 1;
            if (!simple) {
                acc = shapeOnly;
                continue;
            }
            for (int i = 0; i < n; i++) {
                double p = acc.values()[acc.values().length == 1 ? 0 : i];
                double q = b.values()[b.values().length == 1 ? 0 : i];
                v[i] = f.applyAsDouble(p, q);
            }
            acc = new ConstTensor(dims, v);
        }
        return acc;
    }

    private static ConstTensor unary(ConstTensor x, DoubleUnaryOperator f) {
        if (!x.known()) {
            return x;
        }
        double[] v = x.values().clone();
        for (int i = 0; i < v.length; i++) {
            v[i] = f.applyAsDouble(v[i]);
        }
        return new ConstTensor(x.dims(), v);
    }

    private static ConstTensor reshaped(OnnxMl.NodeProto n, Attributes a, long opset, List<ConstTensor> ins) {
        ConstTensor x = ins.get(0);
        List<Integer> dims = new ArrayList<>(x.dims());
        switch (n.getOpType()) {
            case "Unsqueeze" -> {
                List<Long> axes = opset >= 13 ? ins.get(1).longs().orElse(null) : a.ints("axes").orElse(null);
                if (axes == null) {
                    return null;
                }
                int rank = dims.size() + axes.size();
                List<Integer> sorted = new ArrayList<>();
                for (long v : axes) {
                    sorted.add((int) (v < 0 ? v + rank : v));
                }
                sorted.sort(null);
                for (int ax : sorted) {
                    dims.add(ax, 1);
                }
            }
            case "Squeeze" -> {
                List<Long> axes = opset >= 13 && ins.size() > 1 && ins.get(1) != null
                        ? ins.get(1).longs().orElse(null) : a.ints("axes").orElse(List.of());
                if (axes == null) {
                    return null;
                }
                List<Integer> out = new ArrayList<>();
                for (int i = 0; i < dims.size(); i++) {
                    final int axis = i;
                    boolean drop = axes.isEmpty() ? dims.get(i) == 1
                            : axes.stream().anyMatch(v -> (v < 0 ? v + dims.size() : v) == axis);
                    if (!drop) {
                        out.add(dims.get(i));
                    }
                }
                return new ConstTensor(out, x.values());
            }
            case "Flatten" -> {
                int axis = (int) a.i("axis", 1);
                axis = axis < 0 ? axis + dims.size() : axis;
                long outer = 1;
                for (int i = 0; i < axis; i++) {
                    outer *= dims.get(i);
                }
                return new ConstTensor(List.of((int) outer, (int) (x.elements() / Math.max(1, outer))), x.values());
            }
            default -> {
                List<Long> shape = ins.size() > 1 && ins.get(1) != null ? ins.get(1).longs().orElse(null) : null;
                if (shape == null) {
                    return null;
                }
                List<Integer> out = new ArrayList<>();
                int infer = -1;
                long known = 1;
                for (int i = 0; i < shape.size(); i++) {
                    long d = shape.get(i);
                    if (d == 0 && a.i("allowzero", 0) == 0) {
                        d = dims.get(i);
                    }
                    if (d == -1) {
                        infer = i;
                        out.add(1);
                        continue;
                    }
                    known *= d;
                    out.add((int) d);
                }
                if (infer >= 0) {
                    out.set(infer, (int) (x.elements() / Math.max(1, known)));
                }
                return new ConstTensor(out, x.values());
            }
        }
        return new ConstTensor(dims, x.values());
    }

    private static ConstTensor concat(List<ConstTensor> ins, int axis) {
        List<ConstTensor> parts = new ArrayList<>();
        for (ConstTensor t : ins) {
            if (t != null) {
                parts.add(t);
            }
        }
        int rank = parts.get(0).dims().size();
        int ax = axis < 0 ? axis + rank : axis;
        List<Integer> dims = new ArrayList<>(parts.get(0).dims());
        int sum = 0;
        boolean known = rank == 1;
        for (ConstTensor t : parts) {
            sum += t.dims().get(ax);
            known &= t.known();
        }
        dims.set(ax, sum);
        if (!known) {
            return new ConstTensor(dims, null);
        }
        double[] v = new double[sum];
        int k = 0;
        for (ConstTensor t : parts) {
            for (double d : t.values()) {
                v[k++] = d;
            }
        }
        return new ConstTensor(dims, v);
    }

    private static ConstTensor gather(ConstTensor data, ConstTensor idx, int axis) {
        int ax = axis < 0 ? axis + data.dims().size() : axis;
        List<Integer> dims = new ArrayList<>(data.dims().subList(0, ax));
        dims.addAll(idx.dims());
        dims.addAll(data.dims().subList(ax + 1, data.dims().size()));
        if (data.dims().size() != 1 || !data.known() || !idx.known()) {
            return new ConstTensor(dims, null);
        }
        double[] v = new double[idx.values().length];
        int size = data.dims().get(0);
        for (int i = 0; i < v.length; i++) {
            int j = (int) idx.values()[i];
            v[i] = data.values()[j < 0 ? j + size : j];
        }
        return new ConstTensor(dims, v);
    }

    private static ConstTensor slice(OnnxMl.NodeProto n, Attributes a, long opset, List<ConstTensor> ins) {
        ConstTensor x = ins.get(0);
        if (x.dims().size() != 1) {
            return null;
        }
        long start;
        long end;
        long step = 1;
        if (opset < 10) {
            start = a.ints("starts").map(l -> l.get(0)).orElse(0L);
            end = a.ints("ends").map(l -> l.get(0)).orElse(Long.MAX_VALUE);
        } else {
            start = ins.get(1).longs().map(l -> l.get(0)).orElse(0L);
            end = ins.get(2).longs().map(l -> l.get(0)).orElse(Long.MAX_VALUE);
            if (ins.size() > 4 && ins.get(4) != null) {
                step = ins.get(4).longs().map(l -> l.get(0)).orElse(1L);
            }
        }
        long dim = x.dims().get(0);
        start = start < 0 ? start + dim : start;
        end = end < 0 ? end + dim : end;
        List<Double> out = new ArrayList<>();
        if (step > 0) {
            for (long i = Math.max(0, start); i < Math.min(dim, end); i += step) {
                out.add(x.known() ? x.values()[(int) i] : 0.0);
            }
        } else if (step < 0) {
            for (long i = Math.min(dim - 1, start); i > Math.max(-1, end); i += step) {
                out.add(x.known() ? x.values()[(int) i] : 0.0);
            }
        } else {
            return null;
        }
        double[] v = new double[out.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get(i);
        }
        return new ConstTensor(List.of(v.length), x.known() ? v : null);
    }

    private static ConstTensor transpose(ConstTensor x, Attributes a) {
        List<Integer> dims = new ArrayList<>();
        List<Long> perm = a.ints("perm").filter(p -> !p.isEmpty()).orElse(null);
        int r = x.dims().size();
        for (int i = 0; i < r; i++) {
            dims.add(x.dims().get(perm == null ? r - 1 - i : perm.get(i).intValue()));
        }
        boolean vector = r <= 1;
        return new ConstTensor(dims, vector ? x.values() : null);
    }

    private static ConstTensor constantOfShape(ConstTensor shape, Attributes a) {
        List<Long> dims = shape.longs().orElse(null);
        if (dims == null) {
            return null;
        }
        List<Integer> d = new ArrayList<>();
        for (long v : dims) {
            d.add((int) v);
        }
        ConstTensor shapeOnly = new ConstTensor(d, null);
        if (shapeOnly.elements() > TensorDecoder.MAX_DECODED) {
            return shapeOnly;
        }
        double fill = a.tensor("value").map(TensorDecoder::decode).filter(ConstTensor::known)
                .map(t -> t.values().length > 0 ? t.values()[0] : 0.0).orElse(0.0);
        double[] v = new double[(int) shapeOnly.elements()];
        java.util.Arrays.fill(v, fill);
        return new ConstTensor(d, v);
    }
}
