package dev.sfd.workload;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Layout operators (reshape, transpose, concat, split) are zero-cost views: their output tensors alias the data
 * of a physical tensor (one produced by a compute operator, or a network input). This class maps a region of a
 * view back to the physical regions it reads, through {@link Regions}, and finds the compute operators that
 * read a physical tensor through views.
 */
public final class TensorViews {
    private TensorViews() {
    }

    /** A region of a physical tensor. */
    public record Part(String tensor, Box region) {
    }

    /** True when the tensor holds data of its own: a network input, a weight, or a compute operator's output. */
    public static boolean isPhysical(Network net, String tensor) {
        Optional<Operator> p = net.producer(tensor);
        return p.isEmpty() || net.loopNest(p.get().name()).isPresent();
    }

    /** The physical regions that {@code region} of {@code tensor} aliases (itself when physical). */
    public static List<Part> resolve(Network net, String tensor, Box region) {
        List<Part> out = new ArrayList<>();
        resolve(net, tensor, region, out);
        return out;
    }

    private static void resolve(Network net, String tensor, Box region, List<Part> out) {
        if (isPhysical(net, tensor)) {
            out.add(new Part(tensor, region));
            return;
        }
        Operator view = net.producer(tensor).orElseThrow();
        if (view.kind() == OpKind.RESHAPE) {
            // exactly the runs of the input the region covers, not their hull
            for (Box part : Regions.reshapeParts(net.tensor(tensor), net.tensor(view.inputs().get(0)), region)) {
                resolve(net, view.inputs().get(0), part, out);
            }
            return;
        }
        int outIndex = view.outputs().indexOf(tensor);
        for (int i = 0; i < view.inputs().size(); i++) {
            Optional<Box> in = Regions.inputRegion(net, view, i, outIndex, region);
            if (in.isPresent()) {
                resolve(net, view.inputs().get(i), in.get(), out);
            }
        }
    }

    /**
     * Compute operators that read {@code tensor}, directly or through views (topological order). A view whose data
     * holds none of {@code tensor} (a split part, or a slice, of a concat that lies in another input's range) does not
     * lead to its readers.
     */
    public static List<Operator> computeConsumers(Network net, String tensor) {
        Set<Operator> out = new LinkedHashSet<>();
        collectConsumers(net, isPhysical(net, tensor) ? tensor : null, tensor, out);
        List<Operator> sorted = new ArrayList<>(out);
        sorted.sort((a, b) -> Integer.compare(net.topoIndex(a.name()), net.topoIndex(b.name())));
        return sorted;
    }

    private static void collectConsumers(Network net, String root, String tensor, Set<Operator> out) {
        for (Operator c : net.consumers(tensor)) {
            if (net.loopNest(c.name()).isPresent()) {
                out.add(c);
            } else {
                for (String o : c.outputs()) {
                    if (root == null || aliases(net, o, root)) {
                        collectConsumers(net, root, o, out);
                    }
                }
            }
        }
    }

    /** True when some element of {@code view} is an element of the physical tensor {@code physical}. */
    static boolean aliases(Network net, String view, String physical) {
        for (Part p : resolve(net, view, net.tensor(view).fullBox())) {
            if (p.tensor().equals(physical) && p.region().elements() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Layout operators that view {@code tensor}, directly or transitively. */
    public static List<Operator> viewOperators(Network net, String tensor) {
        Set<Operator> out = new LinkedHashSet<>();
        collectViews(net, tensor, out);
        return List.copyOf(out);
    }

    private static void collectViews(Network net, String tensor, Set<Operator> out) {
        for (Operator c : net.consumers(tensor)) {
            if (net.loopNest(c.name()).isEmpty() && out.add(c)) {
                for (String o : c.outputs()) {
                    collectViews(net, o, out);
                }
            }
        }
    }

    /** True when the tensor, or a view holding some of its data, is a network output. */
    public static boolean reachesOutput(Network net, String tensor) {
        return reachesOutput(net, isPhysical(net, tensor) ? tensor : null, tensor);
    }

    private static boolean reachesOutput(Network net, String root, String tensor) {
        if (net.outputs().contains(tensor)) {
            return true;
        }
        for (Operator c : net.consumers(tensor)) {
            if (net.loopNest(c.name()).isEmpty()) {
                for (String o : c.outputs()) {
                    if ((root == null || aliases(net, o, root)) && reachesOutput(net, root, o)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
