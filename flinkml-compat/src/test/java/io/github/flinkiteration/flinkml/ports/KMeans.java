package io.github.flinkiteration.flinkml.ports;

import io.github.flinkiteration.flinkml.DataStreamList;
import io.github.flinkiteration.flinkml.IterationBody;
import io.github.flinkiteration.flinkml.IterationBodyResult;
import io.github.flinkiteration.flinkml.IterationConfig;
import io.github.flinkiteration.flinkml.IterationListener;
import io.github.flinkiteration.flinkml.Iterations;
import io.github.flinkiteration.flinkml.ReplayableDataStreamList;
import io.github.flinkiteration.flinkml.common.datastream.DataStreamUtils;
import io.github.flinkiteration.flinkml.common.datastream.EndOfStreamWindows;
import io.github.flinkiteration.flinkml.common.iteration.ForwardInputsOfLastRound;
import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.ObjectArrayTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.windowing.AllWindowFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/**
 * flink-ml-lib's k-means training loop on this module: an all-round operator caches the points (not
 * replayed, they come in epoch 0) and, at each epoch watermark, assigns each one to its nearest
 * centroid; a per-round sub-body sums and averages each cluster through {@link EndOfStreamWindows}
 * and gathers the new centroids at parallelism 1, which are fed back; {@link TerminateOnMaxIter}
 * bounds the epochs and {@link ForwardInputsOfLastRound} hands out the last model.
 *
 * <p>Differences from flink-ml's, none in the loop's structure: DataStreams instead of Tables; the
 * caller gives the initial centroids (the benchmark's rule: the first points) instead of a random
 * sample; points are cached in operator list state instead of flink-ml's {@code
 * ListStateWithCache}; and the new centroids are ordered by cluster id (flink-ml orders them as
 * they arrive at the gathering window, so centroid numbers change from epoch to epoch; the set of
 * centroids is the same). Like flink-ml's, a cluster that gets no point is dropped from the model.
 *
 * <pre>{@code
 * DataStream<KMeansModelData> model = KMeans.fit(points, initialCentroids, 20);
 * }</pre>
 */
public final class KMeans {

    static final TypeInformation<DenseVector> VECTOR = TypeInformation.of(DenseVector.class);
    static final TypeInformation<DenseVector[]> VECTORS = ObjectArrayTypeInfo.getInfoFor(VECTOR);

    private KMeans() {}

    /**
     * Trains for {@code maxIter} epochs (Lloyd steps) from {@code initCentroids}, one array at
     * parallelism 1; returns one model record.
     */
    public static DataStream<KMeansModelData> fit(
            DataStream<DenseVector> points, DataStream<DenseVector[]> initCentroids, int maxIter) {
        IterationConfig config =
                IterationConfig.newBuilder()
                        .setOperatorLifeCycle(IterationConfig.OperatorLifeCycle.ALL_ROUND)
                        .build();
        return Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(initCentroids),
                        ReplayableDataStreamList.notReplay(points),
                        config,
                        new KMeansIterationBody(maxIter))
                .get(0);
    }

    private static class KMeansIterationBody implements IterationBody {
        private final int maxIterationNum;

        KMeansIterationBody(int maxIterationNum) {
            this.maxIterationNum = maxIterationNum;
        }

        @Override
        public IterationBodyResult process(
                DataStreamList variableStreams, DataStreamList dataStreams) {
            DataStream<DenseVector[]> centroids = variableStreams.get(0);
            DataStream<DenseVector> points = dataStreams.get(0);

            DataStream<Integer> terminationCriteria =
                    centroids.flatMap(new TerminateOnMaxIter<>(maxIterationNum));

            DataStream<Tuple2<Integer, DenseVector>> centroidIdAndPoints =
                    points.connect(centroids.broadcast())
                            .transform(
                                    "SelectNearestCentroid",
                                    Types.TUPLE(Types.INT, VECTOR),
                                    new SelectNearestCentroidOperator());
            DataStreamUtils.setManagedMemoryWeight(centroidIdAndPoints.getTransformation(), 100);

            IterationBody.PerRoundSubBody perRoundSubBody =
                    inputs -> {
                        DataStream<Tuple2<Integer, DenseVector>> assigned = inputs.get(0);
                        DataStream<KMeansModelData> modelData =
                                assigned.map(new CountAppender())
                                        .keyBy(t -> t.f0)
                                        .window(EndOfStreamWindows.get())
                                        .reduce(new CentroidAccumulator())
                                        .map(new CentroidAverager())
                                        .windowAll(EndOfStreamWindows.get())
                                        .apply(
                                                new ModelDataGenerator(),
                                                TypeInformation.of(KMeansModelData.class));
                        return DataStreamList.of(modelData);
                    };
            DataStream<KMeansModelData> newModelData =
                    IterationBody.forEachRound(
                                    DataStreamList.of(centroidIdAndPoints), perRoundSubBody)
                            .get(0);

            DataStream<DenseVector[]> newCentroids =
                    newModelData.map(x -> x.centroids, VECTORS).setParallelism(1);

            DataStream<KMeansModelData> finalModelData =
                    newModelData.flatMap(new ForwardInputsOfLastRound<>());

            return new IterationBodyResult(
                    DataStreamList.of(newCentroids),
                    DataStreamList.of(finalModelData),
                    terminationCriteria);
        }
    }

    /** Gathers the averaged clusters of an epoch into one model, in the order of their ids. */
    private static class ModelDataGenerator
            implements AllWindowFunction<
                    Tuple3<Integer, DenseVector, Double>, KMeansModelData, TimeWindow> {
        @Override
        public void apply(
                TimeWindow window,
                Iterable<Tuple3<Integer, DenseVector, Double>> clusters,
                Collector<KMeansModelData> out) {
            List<Tuple3<Integer, DenseVector, Double>> sorted = new ArrayList<>();
            clusters.forEach(sorted::add);
            sorted.sort(Comparator.comparing(cluster -> cluster.f0));
            DenseVector[] centroids = new DenseVector[sorted.size()];
            DenseVector weights = new DenseVector(sorted.size());
            for (int i = 0; i < sorted.size(); i++) {
                centroids[i] = sorted.get(i).f1;
                weights.values[i] = sorted.get(i).f2;
            }
            out.collect(new KMeansModelData(centroids, weights));
        }
    }

    /** Turns a cluster's sum and count into its centroid and weight. */
    private static class CentroidAverager
            implements MapFunction<
                    Tuple3<Integer, DenseVector, Long>, Tuple3<Integer, DenseVector, Double>> {
        @Override
        public Tuple3<Integer, DenseVector, Double> map(Tuple3<Integer, DenseVector, Long> sum) {
            double[] mean = new double[sum.f1.size()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = sum.f1.values[i] / sum.f2;
            }
            return Tuple3.of(sum.f0, new DenseVector(mean), sum.f2.doubleValue());
        }
    }

    /** Adds up the points and the counts of one cluster. */
    private static class CentroidAccumulator
            implements ReduceFunction<Tuple3<Integer, DenseVector, Long>> {
        @Override
        public Tuple3<Integer, DenseVector, Long> reduce(
                Tuple3<Integer, DenseVector, Long> a, Tuple3<Integer, DenseVector, Long> b) {
            double[] sum = a.f1.values.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += b.f1.values[i];
            }
            return Tuple3.of(a.f0, new DenseVector(sum), a.f2 + b.f2);
        }
    }

    /** Gives each assigned point the count 1. */
    private static class CountAppender
            implements MapFunction<
                    Tuple2<Integer, DenseVector>, Tuple3<Integer, DenseVector, Long>> {
        @Override
        public Tuple3<Integer, DenseVector, Long> map(Tuple2<Integer, DenseVector> assigned) {
            return Tuple3.of(assigned.f0, assigned.f1, 1L);
        }
    }

    /**
     * Caches the points of its subtask (input 1, epoch 0) and the epoch's centroids (input 2); at
     * each epoch watermark emits every point with the id of its nearest centroid.
     */
    private static class SelectNearestCentroidOperator
            extends AbstractStreamOperator<Tuple2<Integer, DenseVector>>
            implements TwoInputStreamOperator<
                            DenseVector, DenseVector[], Tuple2<Integer, DenseVector>>,
                    IterationListener<Tuple2<Integer, DenseVector>> {

        private transient ListState<DenseVector[]> centroids;
        private transient ListState<DenseVector> points;

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            centroids =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("centroids", VECTORS));
            points =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("points", VECTOR));
        }

        @Override
        public void processElement1(StreamRecord<DenseVector> point) throws Exception {
            points.add(point.getValue());
        }

        @Override
        public void processElement2(StreamRecord<DenseVector[]> epochCentroids) throws Exception {
            if (centroids.get().iterator().hasNext()) {
                throw new IllegalStateException("Two sets of centroids in one epoch.");
            }
            centroids.add(epochCentroids.getValue());
        }

        @Override
        public void onEpochWatermarkIncremented(
                int epochWatermark, Context context, Collector<Tuple2<Integer, DenseVector>> out)
                throws Exception {
            Iterator<DenseVector[]> current = centroids.get().iterator();
            if (!current.hasNext()) {
                throw new IllegalStateException("No centroids in epoch " + epochWatermark + ".");
            }
            DenseVector[] centroidValues = current.next();
            for (DenseVector point : points.get()) {
                output.collect(
                        new StreamRecord<>(
                                Tuple2.of(findClosestCentroidId(centroidValues, point), point)));
            }
            centroids.clear();
        }

        @Override
        public void onIterationTerminated(
                Context context, Collector<Tuple2<Integer, DenseVector>> out) {
            centroids.clear();
            points.clear();
        }
    }

    /** The nearest centroid by squared Euclidean distance; on a tie the lowest id. */
    static int findClosestCentroidId(DenseVector[] centroids, DenseVector point) {
        double minDistance = Double.MAX_VALUE;
        int closest = -1;
        for (int i = 0; i < centroids.length; i++) {
            double distance = 0;
            for (int j = 0; j < point.size(); j++) {
                double d = point.values[j] - centroids[i].values[j];
                distance += d * d;
            }
            if (distance < minDistance) {
                minDistance = distance;
                closest = i;
            }
        }
        return closest;
    }
}
