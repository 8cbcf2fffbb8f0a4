package io.github.flinkiteration.flinkml.ports;

import io.github.flinkiteration.flinkml.common.broadcast.BroadcastUtils;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * flink-ml-lib's k-means model on this module: the model data reach every subtask of the predicting
 * operator as a broadcast variable ({@link BroadcastUtils#withBroadcastStream}), which its function
 * reads as flink-ml's does, and each point gets the id of its nearest centroid.
 *
 * <pre>{@code
 * DataStream<Tuple2<Long, Integer>> labels = KMeansModel.transform(points, KMeans.fit(...));
 * }</pre>
 */
public final class KMeansModel {

    private static final String MODEL = "kmeansModel";

    private KMeansModel() {}

    /** Labels each (id, point) with the nearest centroid of the one model record. */
    @SuppressWarnings("unchecked")
    public static DataStream<Tuple2<Long, Integer>> transform(
            DataStream<Tuple2<Long, DenseVector>> points, DataStream<KMeansModelData> model) {
        TypeInformation<Tuple2<Long, Integer>> labelled = Types.TUPLE(Types.LONG, Types.INT);
        return BroadcastUtils.withBroadcastStream(
                List.of(points),
                Map.of(MODEL, model),
                inputs ->
                        ((DataStream<Tuple2<Long, DenseVector>>) inputs.get(0))
                                .map(new PredictLabelFunction(), labelled));
    }

    /** Reads the model from the broadcast variable on first use. */
    private static class PredictLabelFunction
            extends RichMapFunction<Tuple2<Long, DenseVector>, Tuple2<Long, Integer>> {

        private transient DenseVector[] centroids;

        @Override
        public Tuple2<Long, Integer> map(Tuple2<Long, DenseVector> point) {
            if (centroids == null) {
                KMeansModelData model =
                        (KMeansModelData) getRuntimeContext().getBroadcastVariable(MODEL).get(0);
                centroids = model.centroids;
            }
            return Tuple2.of(point.f0, KMeans.findClosestCentroidId(centroids, point.f1));
        }
    }
}
