package dev.sfd.mapping.cpsat;

import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MapperContractTest;
import dev.sfd.mapping.MappingSpace;

/** CP-SAT must reach the exhaustive optimum on every budget (small layers solve to OPTIMAL well within limits). */
class CpSatMapperContractTest extends MapperContractTest {
    @Override
    protected Mapper mapper(MappingSpace.Options options) {
        return new CpSatMapper(new CpSatSettings(1, 3, 10.0, 2, 1, options.maxTileCandidates(), options.paddedTiles(),
                false));
    }

    /** Fewer zoo shapes than the other mappers: every CP-SAT check is several solves. */
    @Override
    protected java.util.List<String> zooNetworks() {
        return java.util.List.of("resnet18", "bert_base");
    }

    @Override
    protected boolean exact() {
        return true;
    }
}
