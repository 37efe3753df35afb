package dev.sfd.segmentation;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fused-layer CNN reference case (Alwani et al., MICRO 2016): the first five convolutions of VGG-19
 * (conv1_1 .. conv3_1 with their ReLUs and the two pools between them) on a 362 KB buffer with 32-bit data.
 */
public final class AlwaniVggCase {
    public static final long BUFFER_BYTES = 362L * 1024;

    private AlwaniVggCase() {
    }

    /** conv1_1 .. relu3_1 of models/networks/vgg19.yaml, read with the network reader. */
    public static Network network() {
        try {
            List<String> lines = Files.readAllLines(Path.of("models/networks/vgg19.yaml"));
            List<String> out = new ArrayList<>();
            for (String l : lines) {
                if (l.startsWith("outputs:")) {
                    out.add("outputs: [relu3_1]");
                    continue;
                }
                out.add(l);
                if (l.contains("name: relu3_1,")) {
                    break;
                }
            }
            return NetworkReader.parse("vgg19 conv1_1..conv3_1", String.join("\n", out).replace("name: vgg19",
                    "name: vgg19_first5"), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code edge} with a 362 KB buffer and 32-bit activations, weights and accumulators. */
    public static Hardware hardware() {
        Hardware e = HardwareCatalog.preset("edge");
        Hardware.GlobalBuffer g = e.globalBuffer();
        return new Hardware("edge-362KB-32bit", e.source(), e.clockGHz(), e.cores(), e.peArray(), e.vectorUnit(),
                new Hardware.GlobalBuffer(BUFFER_BYTES, g.bandwidthBytesPerCycle(), g.readEnergyPjPerByte(),
                        g.writeEnergyPjPerByte()), e.dram(), e.noc(), new Hardware.DataWidths(32, 32, 32), e.energy());
    }
}
