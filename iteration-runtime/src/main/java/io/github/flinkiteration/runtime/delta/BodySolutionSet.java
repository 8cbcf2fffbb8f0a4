package io.github.flinkiteration.runtime.delta;

import io.github.flinkiteration.api.SolutionSet;
import io.github.flinkiteration.api.SolutionSetJoinFunction;
import org.apache.flink.api.common.typeinfo.BasicArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeType;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * A solution set as the body sees it: its initial values (a data input of the iteration) and its
 * key. {@link #join} adds the {@link SolutionSetJoinOperator} to the draft; from there on it is an
 * operator of the body like any other.
 */
public final class BodySolutionSet<K, T> implements SolutionSet<K, T> {

    private final String name;
    private final DataStream<T> initial;
    private final KeySelector<T, K> key;
    private final OutputTag<T> finalTag;
    private SingleOutputStreamOperator<?> joined;

    private BodySolutionSet(String name, DataStream<T> initial, KeySelector<T, K> key) {
        this.name = name;
        this.initial = initial;
        this.key = key;
        this.finalTag = new OutputTag<>("solution-set/" + name, initial.getType());
    }

    /**
     * The solution set {@code name} over the body's stream of its initial values; fails naming the
     * stream if Flink cannot key by the key's type.
     */
    public static <K, T> BodySolutionSet<K, T> of(
            String name, DataStream<T> initial, KeySelector<T, K> key) {
        TypeInformation<K> keyType = TypeExtractor.getKeySelectorTypes(key, initial.getType());
        if (!isHashableKey(keyType)) {
            throw new IllegalArgumentException(
                    "Solution set '"
                            + name
                            + "' is keyed by "
                            + keyType
                            + ", a type Flink cannot key by (arrays, and types without a"
                            + " value-based hashCode and equals, are not keys). Key the solution"
                            + " set by a field of a basic type, a tuple or a POJO instead.");
        }
        return new BodySolutionSet<>(name, initial, key);
    }

    /**
     * Keyed state partitions by the key's hash code, so a key must hash by value: arrays and POJOs
     * without their own {@code hashCode} do not (Flink's own {@code keyBy} rejects them too).
     */
    private static boolean isHashableKey(TypeInformation<?> type) {
        if (!type.isKeyType()
                || type instanceof PrimitiveArrayTypeInfo
                || type instanceof BasicArrayTypeInfo
                || type instanceof ObjectArrayTypeInfo) {
            return false;
        }
        if (type instanceof PojoTypeInfo) {
            try {
                return type.getTypeClass().getMethod("hashCode").getDeclaringClass()
                        != Object.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
        if (type instanceof CompositeType<?> composite) {
            for (int i = 0; i < composite.getArity(); i++) {
                if (!isHashableKey(composite.getTypeAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public KeySelector<T, K> getKeySelector() {
        return key;
    }

    @Override
    public <W, O> DataStream<O> join(
            DataStream<W> workset,
            KeySelector<W, K> worksetKey,
            SolutionSetJoinFunction<W, T, O> function,
            TypeInformation<O> outputType) {
        if (joined != null) {
            throw new IllegalStateException(
                    "Solution set '"
                            + name
                            + "' is joined twice; a solution set has one join. Union the"
                            + " worksets you want to join with it and join once.");
        }
        SingleOutputStreamOperator<O> operator =
                initial.connect(workset)
                        .keyBy(key, worksetKey)
                        .transform(
                                "solution set " + name,
                                outputType,
                                new SolutionSetJoinOperator<>(
                                        name,
                                        key,
                                        function,
                                        initial.getType(),
                                        workset.getType(),
                                        finalTag));
        joined = operator;
        return operator;
    }

    @Override
    public DataStream<T> finalValues() {
        if (joined == null) {
            throw new IllegalStateException(
                    "Solution set '"
                            + name
                            + "' has no final values yet: join a workset with it first"
                            + " (SolutionSet#join), then call finalValues().");
        }
        return joined.getSideOutput(finalTag);
    }
}
