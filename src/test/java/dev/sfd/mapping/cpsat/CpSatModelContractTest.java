package dev.sfd.mapping.cpsat;

import dev.sfd.mapping.Mapper;
import dev.sfd.mapping.MapperContractTest;
import dev.sfd.mapping.MappingSpace;

/**
 * The CP-SAT model itself, with no budget settled by the relaxation's enumeration ({@code enumerationLimit} 0): it
 * must reach the exhaustive optimum on every budget, as the default mapper does.
 */
class CpSatModelContractTest extends MapperContractTest {
    @Override
    protected Mapper mapper(MappingSpace.Options options) {
        return new CpSatMapper(new CpSatSettings(1, 3, 10.0, 2, 1, options.maxTileCandidates(), options.paddedTiles(),
                false).withEnumerationLimit(0));
    }

    /** One zoo network: the default mapper's test covers the others. */
    @Override
    protected java.util.List<String> zooNetworks() {
        return java.util.List.of("resnet18");
    }

    @Override
    protected boolean exact() {
        return true;
    }
}
