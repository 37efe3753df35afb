package dev.sfd.segmentation;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.MappingInfeasibleException;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusionPlannerTest {

    static List<String> zoo() {
        return NetworkCatalog.ZOO;
    }

    @ParameterizedTest(name = "{0} on edge")
    @MethodSource("zoo")
    void neverScoresWorseThanLayerByLayerAndCoversEveryOperatorOnce(String name) {
        Network net = NetworkCatalog.resolve(name);
        Hardware hw = HardwareCatalog.resolve("edge");
        FusionPlan p = new FusionPlanner().plan(net, hw, SegmenterSettings.defaults());
        assertTrue(p.segmentation().evaluation().legal(), p.segmentation().evaluation().problem());
        assertTrue(p.segmentation().evaluation().latencyCycles() <= p.layerwise().latencyCycles());
        Set<String> seen = new HashSet<>();
        p.segments().forEach(s -> s.forEach(op -> assertTrue(seen.add(op), op + " twice")));
        assertEquals(net.operators().size(), seen.size());
        net.operators().stream().filter(op -> net.loopNest(op.name()).isPresent())
                .forEach(op -> assertTrue(p.mappings().containsKey(op.name()), op.name() + " has no mapping"));
        for (SegmentationModel.PartCost c : p.segmentation().evaluation().parts()) {
            assertTrue(c.fits(hw.globalBuffer().capacityBytes()));
        }
    }

    @Test
    void failsClearlyWhenALayerCannotFitTheBuffer() {
        Hardware e = HardwareCatalog.preset("edge");
        Hardware tiny = new Hardware("tiny-glb", "", e.clockGHz(), e.cores(), e.peArray(), e.vectorUnit(),
                new Hardware.GlobalBuffer(2, 1, 1, 1), e.dram(), e.noc(), e.dataWidths(), e.energy());
        MappingInfeasibleException ex = assertThrows(MappingInfeasibleException.class,
                () -> new FusionPlanner().plan(NetworkCatalog.resolve("resnet18"), tiny, SegmenterSettings.defaults()));
        assertTrue(ex.getMessage().contains("conv"), ex.getMessage());
    }

    @Test
    void alwaniCaseFusesAndCutsFeatureMapTraffic() {
        Network net = AlwaniVggCase.network();
        assertEquals(List.of("relu3_1"), net.outputs());
        FusionPlan p = new FusionPlanner().plan(net, AlwaniVggCase.hardware(),
                SegmenterSettings.defaults().withObjective(Objective.DRAM));
        SegmentationModel m = p.input().model();
        long fused = FusionBench.featureMapBytes(m, p.segmentation());
        SegmentationModel.Evaluation lw = FusionPlanner.layerwise(m, Objective.DRAM);
        long layerwise = lw.dramBytes() - FusionBench.weightBytes(m, FusionPlanner.singletons(m, Objective.DRAM));
        assertTrue(fused < layerwise, fused + " vs " + layerwise);
    }
}
