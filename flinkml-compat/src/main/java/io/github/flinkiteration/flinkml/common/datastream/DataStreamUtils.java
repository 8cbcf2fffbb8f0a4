package io.github.flinkiteration.flinkml.common.datastream;

import java.util.Optional;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Whole-input operations on bounded {@link DataStream}s, with flink-ml's names and semantics. Each
 * one emits when its input ends; inside {@code IterationBody.forEachRound} that is the end of each
 * round, so the operation runs once per round on that round's records.
 *
 * <pre>{@code
 * DataStreamList reduced =
 *         IterationBody.forEachRound(
 *                 DataStreamList.of(gradients),
 *                 in -> DataStreamList.of(DataStreamUtils.allReduceSum(in.get(0))));
 * }</pre>
 */
public final class DataStreamUtils {

    private static final TypeInformation<double[]> DOUBLE_ARRAY =
            PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO;

    private DataStreamUtils() {}

    /**
     * Sums all arrays of {@code input} element by element and gives every subtask the sum: the
     * result has the input's parallelism and one array per subtask. Each subtask of the input may
     * hold at most one array and all arrays must have the same length, otherwise the job fails. An
     * input without any array gives no result.
     *
     * <pre>{@code
     * DataStream<double[]> total = DataStreamUtils.allReduceSum(partialGradients);
     * }</pre>
     */
    public static DataStream<double[]> allReduceSum(DataStream<double[]> input) {
        int parallelism = input.getParallelism();
        DataStream<double[]> checked =
                input.flatMap(new OneArrayPerSubtask(), DOUBLE_ARRAY)
                        .setParallelism(parallelism)
                        .name("allReduceSum-check");
        // At most one array per subtask reaches the single summing subtask, which sends the sum
        // back to each subtask: about twice the data of the input crosses the network.
        DataStream<double[]> sum =
                checked.transform(
                                "allReduceSum-sum",
                                DOUBLE_ARRAY,
                                new ReduceOperator<>(new ElementWiseSum(), DOUBLE_ARRAY))
                        .setParallelism(1);
        return sum.broadcast()
                .map(array -> array, DOUBLE_ARRAY)
                .setParallelism(parallelism)
                .name("allReduceSum-spread");
    }

    /**
     * Calls {@code function} once per subtask of {@code input}, with all the records of that
     * subtask, when the input ends. The result has the input's parallelism; its type is extracted
     * from the function.
     *
     * <pre>{@code
     * DataStream<Long> counts =
     *         DataStreamUtils.mapPartition(points, (values, out) -> {
     *             long n = 0;
     *             for (Point p : values) n++;
     *             out.collect(n);
     *         });
     * }</pre>
     */
    public static <IN, OUT> DataStream<OUT> mapPartition(
            DataStream<IN> input, MapPartitionFunction<IN, OUT> function) {
        TypeInformation<OUT> outType =
                TypeExtractor.getMapPartitionReturnTypes(function, input.getType(), null, true);
        return mapPartition(input, function, outType);
    }

    /**
     * As {@link #mapPartition(DataStream, MapPartitionFunction)}, with the output type given.
     *
     * <pre>{@code
     * DataStreamUtils.mapPartition(points, new CountPoints(), Types.LONG);
     * }</pre>
     */
    public static <IN, OUT> DataStream<OUT> mapPartition(
            DataStream<IN> input,
            MapPartitionFunction<IN, OUT> function,
            TypeInformation<OUT> outType) {
        return input.transform(
                        "mapPartition",
                        outType,
                        new MapPartitionOperator<>(function, input.getType()))
                .setParallelism(input.getParallelism());
    }

    /**
     * Reduces all records of {@code input} to one with {@code function}, emitted when the input
     * ends; the result has parallelism 1 and no record if the input had none. Each subtask reduces
     * its own records first, so the function should be associative and commutative.
     *
     * <pre>{@code
     * DataStream<Long> total = DataStreamUtils.reduce(counts, Long::sum);
     * }</pre>
     */
    public static <T> DataStream<T> reduce(DataStream<T> input, ReduceFunction<T> function) {
        return reduce(input, function, input.getType());
    }

    /**
     * As {@link #reduce(DataStream, ReduceFunction)}, with the type of the records given.
     *
     * <pre>{@code
     * DataStreamUtils.reduce(counts, Long::sum, Types.LONG);
     * }</pre>
     */
    public static <T> DataStream<T> reduce(
            DataStream<T> input, ReduceFunction<T> function, TypeInformation<T> type) {
        DataStream<T> partial =
                input.transform("reduce-partial", type, new ReduceOperator<>(function, type))
                        .setParallelism(input.getParallelism());
        if (partial.getParallelism() == 1) {
            return partial;
        }
        return partial.transform("reduce", type, new ReduceOperator<>(function, type))
                .setParallelism(1);
    }

    /**
     * Aggregates all records of {@code input} with {@code function}: each subtask adds its records
     * to an accumulator of its own, and one subtask merges them and emits the result when the input
     * ends. The result has parallelism 1 and exactly one record, also for an empty input (the
     * result of merged fresh accumulators). As the accumulator is created once per subtask, a fresh
     * one should be neutral (0 for a sum, an empty list), or the result depends on the parallelism.
     *
     * <pre>{@code
     * DataStream<Double> mean = DataStreamUtils.aggregate(values, new Mean());
     * }</pre>
     */
    public static <IN, ACC, OUT> DataStream<OUT> aggregate(
            DataStream<IN> input, AggregateFunction<IN, ACC, OUT> function) {
        TypeInformation<ACC> accType =
                TypeExtractor.getAggregateFunctionAccumulatorType(
                        function, input.getType(), null, true);
        TypeInformation<OUT> outType =
                TypeExtractor.getAggregateFunctionReturnType(function, input.getType(), null, true);
        return aggregate(input, function, accType, outType);
    }

    /**
     * As {@link #aggregate(DataStream, AggregateFunction)}, with the accumulator and output types
     * given.
     *
     * <pre>{@code
     * DataStreamUtils.aggregate(values, new Mean(), Types.TUPLE(Types.DOUBLE, Types.LONG), Types.DOUBLE);
     * }</pre>
     */
    public static <IN, ACC, OUT> DataStream<OUT> aggregate(
            DataStream<IN> input,
            AggregateFunction<IN, ACC, OUT> function,
            TypeInformation<ACC> accType,
            TypeInformation<OUT> outType) {
        DataStream<ACC> partial =
                input.transform(
                                "aggregate-partial",
                                accType,
                                new PartialAggregateOperator<>(function, accType))
                        .setParallelism(input.getParallelism());
        return partial.transform(
                        "aggregate", outType, new MergeAggregateOperator<>(function, accType))
                .setParallelism(1);
    }

    /**
     * Declares that the operator of {@code transformation} uses about {@code memoryBytes} of
     * managed memory (use case {@code OPERATOR}): its weight in the slot's managed memory is that
     * size in MiB, at least 1. Nothing is declared for 0 or less. The iteration keeps the weight
     * when it places the operator in the loop.
     *
     * <pre>{@code
     * DataStreamUtils.setManagedMemoryWeight(sorted.getTransformation(), 64L << 20);
     * }</pre>
     *
     * @throws IllegalStateException if the operator already declared a weight
     */
    public static <T> void setManagedMemoryWeight(
            Transformation<T> transformation, long memoryBytes) {
        if (memoryBytes <= 0) {
            return;
        }
        int mebibytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, memoryBytes >> 20));
        Optional<Integer> earlier =
                transformation.declareManagedMemoryUseCaseAtOperatorScope(
                        ManagedMemoryUseCase.OPERATOR, mebibytes);
        if (earlier.isPresent()) {
            throw new IllegalStateException(
                    "The operator '"
                            + transformation.getName()
                            + "' already declared a managed memory weight of "
                            + earlier.get()
                            + "; set it once.");
        }
    }
}
