package dev.sfd.mapping;

import dev.sfd.workload.Network;
import dev.sfd.workload.Operator;
import dev.sfd.workload.io.NetworkCatalog;
import dev.sfd.workload.io.NetworkReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded random one-layer networks of every operator family, small enough for the exhaustive mapper. */
public final class RandomLayers {
    private RandomLayers() {
    }

    /** A network whose compute operator is named {@code L}. */
    public static Network layer(long seed) {
        Random r = new Random(seed);
        int kind = r.nextInt(9);
        String header = "format: sfd-network/1\nname: random" + seed + "\nbatch: 1\ninputs:\n";
        String op;
        String inputs;
        int c = 1 + r.nextInt(12);
        int h = 2 + r.nextInt(9);
        int w = 2 + r.nextInt(9);
        switch (kind) {
            case 0, 1, 2 -> {
                int groups = r.nextInt(4) == 0 ? c : (c % 2 == 0 && r.nextBoolean() ? 2 : 1);
                int k = groups == c ? c : groups * (1 + r.nextInt(8));
                int kernel = r.nextBoolean() ? 1 : 3;
                int stride = 1 + r.nextInt(2);
                int dilation = kernel == 3 && r.nextInt(4) == 0 ? 2 : 1;
                int pad = kernel == 3 ? r.nextInt(2) * dilation : 0;
                h = Math.max(h, (kernel - 1) * dilation + 1);
                w = Math.max(w, (kernel - 1) * dilation + 1);
                inputs = "  - {name: x, shape: [1, " + c + ", " + h + ", " + w + "]}\n";
                op = "  - {name: L, op: conv, inputs: [x], channels: " + k + ", kernel: " + kernel + ", stride: " + stride
                        + ", padding: " + pad + ", dilation: " + dilation + ", groups: " + groups + "}\n";
            }
            case 3 -> {
                inputs = "  - {name: x, shape: [1, " + h + ", " + (4 * c) + "]}\n";
                op = "  - {name: L, op: matmul, inputs: [x], features: " + (1 + r.nextInt(24)) + ", bias: " + r.nextBoolean()
                        + "}\n";
            }
            case 4 -> {
                int heads = 1 + r.nextInt(3);
                inputs = "  - {name: q, shape: [1, " + heads + ", " + h + ", " + c + "]}\n  - {name: k, shape: [1, " + heads
                        + ", " + w + ", " + c + "]}\n";
                op = "  - {name: L, op: matmul, inputs: [q, k], transposeB: true}\n";
            }
            case 5 -> {
                inputs = "  - {name: x, shape: [1, " + c + ", " + h + ", " + w + "]}\n  - {name: y, shape: [1, " + c + ", "
                        + h + ", " + w + "]}\n";
                op = "  - {name: L, op: add, inputs: [x, y]}\n";
            }
            case 6 -> {
                inputs = "  - {name: x, shape: [1, " + c + ", " + h + ", " + w + "]}\n";
                op = "  - {name: L, op: maxpool, inputs: [x], kernel: 2, stride: 2}\n";
                if (h < 2 || w < 2) {
                    op = "  - {name: L, op: relu, inputs: [x]}\n";
                }
            }
            case 7 -> {
                inputs = "  - {name: x, shape: [1, " + h + ", " + (2 * c) + "]}\n";
                op = "  - {name: L, op: layernorm, inputs: [x]}\n";
            }
            default -> {
                inputs = "  - {name: x, shape: [1, " + c + ", " + h + ", " + w + "]}\n";
                op = "  - {name: L, op: softmax, inputs: [x]}\n";
            }
        }
        String text = header + inputs + "outputs: [L]\noperators:\n" + op;
        return NetworkReader.parse("random" + seed + ".yaml", text, null);
    }

    /** One representative operator per distinct compute-layer shape over the given zoo networks. */
    public static List<Map.Entry<Network, Operator>> zooLayers(List<String> networks) {
        Map<String, Map.Entry<Network, Operator>> byShape = new LinkedHashMap<>();
        for (String name : networks) {
            Network net = NetworkCatalog.resolve(name);
            for (Operator op : net.operators()) {
                dev.sfd.cost.LayerShape.of(net, op).ifPresent(s -> byShape.putIfAbsent(s.key(), Map.entry(net, op)));
            }
        }
        return new ArrayList<>(byShape.values());
    }
}
