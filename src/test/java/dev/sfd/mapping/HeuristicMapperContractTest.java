package dev.sfd.mapping;

class HeuristicMapperContractTest extends MapperContractTest {
    @Override
    protected Mapper mapper(MappingSpace.Options options) {
        return new HeuristicMapper(options, 400, 11);
    }

    @Override
    protected boolean exact() {
        return false;
    }
}
