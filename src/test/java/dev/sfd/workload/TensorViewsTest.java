package dev.sfd.workload;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorViewsTest {
    /**
     * {@code s} goes into a concat with {@code x}; a split of the concat gives {@code a}, all of it from {@code x},
     * and {@code b}, which holds {@code s}. Only the reader of {@code b} reads {@code s}: the reader of {@code a}
     * never touches it, so a segment boundary between {@code s} and that reader needs no store of {@code s}
     * (fuzz seed 560 stored it and the simulator found it never loaded back).
     */
    private static final Network NET = Nets.parse("""
            inputs:
              - {name: x, shape: [1, 4, 6, 6]}
            operators:
              - {name: s, op: silu, inputs: [x]}
              - {name: c, op: concat, axis: 1, inputs: [x, s]}
              - {name: p, op: split, axis: 1, sizes: [4, 4], inputs: [c], outputs: [a, b]}
              - {name: na, op: neg, inputs: [a]}
              - {name: nb, op: neg, inputs: [b]}
            """);

    @Test
    void aViewHoldingNoneOfATensorDoesNotLeadToItsReaders() {
        assertEquals(List.of("nb"), TensorViews.computeConsumers(NET, "s").stream().map(Operator::name).toList());
        assertEquals(List.of("s", "na"), TensorViews.computeConsumers(NET, "x").stream().map(Operator::name).toList());
    }

    @Test
    void viewsStillLeadToEveryReaderFromAViewItself() {
        assertEquals(List.of("na"), TensorViews.computeConsumers(NET, "a").stream().map(Operator::name).toList());
        assertEquals(List.of("na", "nb"), TensorViews.computeConsumers(NET, "c").stream().map(Operator::name)
                .toList());
    }

    @Test
    void aNetworkOutputReachedOnlyThroughAnotherInputsPartIsNotReached() {
        Network net = Nets.parse("""
                inputs:
                  - {name: x, shape: [1, 4, 6, 6]}
                operators:
                  - {name: s, op: silu, inputs: [x]}
                  - {name: c, op: concat, axis: 1, inputs: [x, s]}
                  - {name: p, op: split, axis: 1, sizes: [4, 4], inputs: [c], outputs: [a, b]}
                  - {name: nb, op: neg, inputs: [b]}
                outputs: [a, nb]
                """);
        assertFalse(TensorViews.reachesOutput(net, "s"));
        assertTrue(TensorViews.reachesOutput(net, "x"));
        assertTrue(TensorViews.reachesOutput(net, "c"));
    }
}
