package dev.sfd.mapping;

class ExhaustiveMapperContractTest extends MapperContractTest {
    @Override
    protected Mapper mapper(MappingSpace.Options options) {
        return new ExhaustiveMapper(options);
    }

    @Override
    protected boolean exact() {
        return true;
    }
}
