package dev.sfd.bench;

import dev.sfd.hardware.Hardware;
import dev.sfd.hardware.HardwareCatalog;
import dev.sfd.mapping.ExhaustiveMapper;
import dev.sfd.mapping.HeuristicMapper;
import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.NetworkMapper;
import dev.sfd.mapping.NetworkMapping;
import dev.sfd.mapping.cpsat.CpSatMapper;
import dev.sfd.mapping.cpsat.CpSatSettings;
import dev.sfd.workload.Network;
import dev.sfd.workload.io.NetworkCatalog;

import java.nio.file.Path;

/** Whole-network timing of the mappers (fronts included): {@code benchmarks/map-timing.sh}. */
public final class MapTiming {
    private MapTiming() {
    }

    public static void main(String[] args) {
        Hardware hw = HardwareCatalog.resolve(args.length > 1 ? args[1] : "edge");
        CpSatSettings settings = CpSatSettings.read(Path.of("solver-configs/mapper-cpsat.yaml"));
        for (String name : args.length > 0 ? args[0].split(",") : new String[] {"resnet50", "mobilenet_v2", "bert_base"}) {
            Network net = NetworkCatalog.resolve(name);
            for (Mapper m : new Mapper[] {new CpSatMapper(settings), new ExhaustiveMapper(settings.spaceOptions()),
                    new HeuristicMapper(settings.spaceOptions(), 2000, settings.seed())}) {
                NetworkMapping r = NetworkMapper.map(m, net, hw, settings.threads());
                System.out.printf("%-14s %-11s %6d ms  %3d shapes  %12d cycles  %12d DRAM bytes%n", name, m.name(),
                        r.elapsedMillis(), r.uniqueShapes(), r.layerByLayerCycles(), r.layerByLayerDramBytes());
            }
        }
    }
}
