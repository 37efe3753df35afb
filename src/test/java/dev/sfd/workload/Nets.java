package dev.sfd.workload;

import dev.sfd.workload.io.NetworkReader;

import java.util.List;

/** Small networks for tests, written in the file format (read by the real reader). */
final class Nets {
    private Nets() {
    }

    /** Parses {@code body} (inputs and operators) as a network named {@code test}. */
    static Network parse(String body) {
        return NetworkReader.parse("test.yaml", "format: sfd-network/1\nname: test\n" + body, null);
    }

    /** A network with one activation input {@code x} of the given shape and the given operators. */
    static Network single(List<Integer> inputShape, String... operators) {
        StringBuilder sb = new StringBuilder("inputs:\n  - {name: x, shape: " + inputShape + "}\noperators:\n");
        for (String op : operators) {
            sb.append("  - ").append(op).append('\n');
        }
        return parse(sb.toString());
    }

    static List<Integer> shape(Network net, String tensor) {
        return net.tensor(tensor).shape();
    }
}
