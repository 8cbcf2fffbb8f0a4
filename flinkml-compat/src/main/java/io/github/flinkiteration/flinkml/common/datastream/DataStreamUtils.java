package io.github.flinkiteration.flinkml.common.datastream;

import io.github.flinkiteration.flinkml.common.window.CountTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.EventTimeSessionWindows;
import io.github.flinkiteration.flinkml.common.window.EventTimeTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.GlobalWindows;
import io.github.flinkiteration.flinkml.common.window.ProcessingTimeSessionWindows;
import io.github.flinkiteration.flinkml.common.window.ProcessingTimeTumblingWindows;
import io.github.flinkiteration.flinkml.common.window.Windows;
import java.lang.reflect.Array;
import java.util.Optional;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.MapPartitionFunction;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.core.memory.ManagedMemoryUseCase;
import org.apache.flink.streaming.api.datastream.AllWindowedStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingProcessingTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.api.windowing.windows.Window;

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

    /**
     * Reduces the records of each key of a bounded keyed stream with {@code function}; one record
     * per key, when the input ends (inside {@code IterationBody.forEachRound}: per key and round).
     * The result has the input's parallelism.
     *
     * <pre>{@code
     * DataStream<Tuple2<Integer, Long>> counts =
     *         DataStreamUtils.reduce(pairs.keyBy(t -> t.f0), (a, b) -> Tuple2.of(a.f0, a.f1 + b.f1));
     * }</pre>
     */
    public static <T, K> DataStream<T> reduce(KeyedStream<T, K> input, ReduceFunction<T> function) {
        return reduce(input, function, input.getType());
    }

    /**
     * As {@link #reduce(KeyedStream, ReduceFunction)}, with the type of the records given.
     *
     * <pre>{@code
     * DataStreamUtils.reduce(pairs.keyBy(t -> t.f0), new AddCounts(), pairType);
     * }</pre>
     */
    public static <T, K> DataStream<T> reduce(
            KeyedStream<T, K> input, ReduceFunction<T> function, TypeInformation<T> type) {
        return input.process(new KeyedReduceAtEnd<K, T>(function, type), type)
                .setParallelism(input.getParallelism())
                .name("Keyed Reduce");
    }

    /**
     * A sample of {@code numSamples} records of a bounded stream, drawn without replacement and
     * close to uniformly (all records if there are fewer). Each subtask first keeps a uniform
     * sample of its own records, a little more than its share; one subtask then draws the final
     * sample from these, so records of a subtask with more records than its share are slightly less
     * likely to be drawn. The result has the input's parallelism. The draws depend on {@code
     * randomSeed}, and on how the stream is spread over the subtasks.
     *
     * <pre>{@code
     * DataStream<Point> initialCentroids = DataStreamUtils.sample(points, k, 42L);
     * }</pre>
     */
    public static <T> DataStream<T> sample(DataStream<T> input, int numSamples, long randomSeed) {
        if (numSamples <= 0) {
            throw new IllegalArgumentException(
                    "sample needs a positive number of samples, not " + numSamples + ".");
        }
        int parallelism = input.getParallelism();
        TypeInformation<T> type = input.getType();
        // After rebalance subtasks hold within one record of each other: this share covers it.
        int perSubtask = Math.min(numSamples / parallelism + parallelism, numSamples);
        DataStream<T> local =
                input.rebalance()
                        .transform(
                                "sample-subtask",
                                type,
                                new ReservoirSampleOperator<>(perSubtask, randomSeed, type))
                        .setParallelism(parallelism);
        DataStream<T> global =
                local.transform(
                                "sample",
                                type,
                                new ReservoirSampleOperator<>(numSamples, randomSeed, type))
                        .setParallelism(1);
        return global.rebalance()
                .map(value -> value, type)
                .setParallelism(parallelism)
                .name("sample-spread");
    }

    /**
     * Cuts a stream into windows by {@code windows} and calls {@code function} on each window of
     * the whole stream (at parallelism 1). {@link GlobalWindows} is one window that closes when the
     * input ends (inside {@code IterationBody.forEachRound}: when the round ends).
     *
     * <pre>{@code
     * DataStreamUtils.windowAllAndProcess(values, CountTumblingWindows.of(100), new SumBatch());
     * }</pre>
     */
    public static <IN, OUT, W extends Window> SingleOutputStreamOperator<OUT> windowAllAndProcess(
            DataStream<IN> input, Windows windows, ProcessAllWindowFunction<IN, OUT, W> function) {
        return DataStreamUtils.<IN, W>windowed(input, windows).process(function);
    }

    /**
     * As {@link #windowAllAndProcess(DataStream, Windows, ProcessAllWindowFunction)}, with the
     * output type given.
     *
     * <pre>{@code
     * DataStreamUtils.windowAllAndProcess(values, GlobalWindows.getInstance(), new SumAll(), Types.LONG);
     * }</pre>
     */
    public static <IN, OUT, W extends Window> SingleOutputStreamOperator<OUT> windowAllAndProcess(
            DataStream<IN> input,
            Windows windows,
            ProcessAllWindowFunction<IN, OUT, W> function,
            TypeInformation<OUT> outType) {
        return DataStreamUtils.<IN, W>windowed(input, windows).process(function, outType);
    }

    @SuppressWarnings("unchecked")
    private static <IN, W extends Window> AllWindowedStream<IN, W> windowed(
            DataStream<IN> input, Windows windows) {
        if (windows instanceof CountTumblingWindows) {
            return (AllWindowedStream<IN, W>)
                    input.countWindowAll(((CountTumblingWindows) windows).getSize());
        }
        return (AllWindowedStream<IN, W>) input.windowAll(assignerOf(windows));
    }

    private static WindowAssigner<Object, TimeWindow> assignerOf(Windows windows) {
        if (windows instanceof GlobalWindows) {
            return EndOfStreamWindows.get();
        }
        if (windows instanceof EventTimeTumblingWindows) {
            return TumblingEventTimeWindows.of(((EventTimeTumblingWindows) windows).getSize());
        }
        if (windows instanceof ProcessingTimeTumblingWindows) {
            return TumblingProcessingTimeWindows.of(
                    ((ProcessingTimeTumblingWindows) windows).getSize());
        }
        if (windows instanceof EventTimeSessionWindows) {
            return org.apache.flink.streaming.api.windowing.assigners.EventTimeSessionWindows
                    .withGap(((EventTimeSessionWindows) windows).getGap());
        }
        if (windows instanceof ProcessingTimeSessionWindows) {
            return org.apache.flink.streaming.api.windowing.assigners.ProcessingTimeSessionWindows
                    .withGap(((ProcessingTimeSessionWindows) windows).getGap());
        }
        throw new IllegalArgumentException(
                "windowAllAndProcess does not know the windows "
                        + windows
                        + "; use one of the classes of io.github.flinkiteration.flinkml.common.window.");
    }

    /**
     * Cuts a stream into global batches of {@code batchSize} records and each global batch into
     * {@code downStreamParallelism} local batches, one per subtask of the result: subtask {@code i}
     * gets the {@code i}-th slice of every global batch (slices differ in size by at most one).
     * Records that do not fill a last global batch are dropped, as with count windows.
     *
     * <pre>{@code
     * DataStream<Point[]> miniBatches = DataStreamUtils.generateBatchData(points, 4, 1000);
     * }</pre>
     */
    @SuppressWarnings("unchecked")
    public static <T> DataStream<T[]> generateBatchData(
            DataStream<T> inputData, int downStreamParallelism, int batchSize) {
        if (downStreamParallelism <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException(
                    "generateBatchData needs a positive parallelism and batch size, not "
                            + downStreamParallelism
                            + " and "
                            + batchSize
                            + ".");
        }
        TypeInformation<T> type = inputData.getType();
        Class<T[]> arrayClass = (Class<T[]>) Array.newInstance(type.getTypeClass(), 0).getClass();
        TypeInformation<T[]> arrayType = ObjectArrayTypeInfo.getInfoFor(arrayClass, type);
        DataStream<Tuple2<Integer, T[]>> slices =
                inputData
                        .countWindowAll(batchSize)
                        .apply(new GlobalBatch<>(type.getTypeClass()), arrayType)
                        .flatMap(
                                new BatchSplitter<T>(downStreamParallelism),
                                Types.TUPLE(Types.INT, arrayType))
                        .setParallelism(1);
        return slices.partitionCustom((Partitioner<Integer>) (part, parts) -> part, t -> t.f0)
                .map(t -> t.f1, arrayType)
                .setParallelism(downStreamParallelism)
                .name("generateBatchData");
    }
}
