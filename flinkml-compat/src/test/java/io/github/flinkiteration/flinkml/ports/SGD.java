package io.github.flinkiteration.flinkml.ports;

import io.github.flinkiteration.flinkml.DataStreamList;
import io.github.flinkiteration.flinkml.IterationBody;
import io.github.flinkiteration.flinkml.IterationBodyResult;
import io.github.flinkiteration.flinkml.IterationConfig;
import io.github.flinkiteration.flinkml.IterationListener;
import io.github.flinkiteration.flinkml.Iterations;
import io.github.flinkiteration.flinkml.ReplayableDataStreamList;
import io.github.flinkiteration.flinkml.common.datastream.DataStreamUtils;
import io.github.flinkiteration.flinkml.common.iteration.TerminateOnMaxIterOrTol;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * flink-ml-lib's mini-batch SGD optimizer on this module. An all-round operator caches the training
 * data of its subtask (not replayed: it comes in epoch 0); at each epoch watermark it applies the
 * summed update of the previous epoch to its copy of the model and computes, on its next local
 * mini-batch, the gradient, the loss and the weight, packed in one array; a per-round {@link
 * DataStreamUtils#allReduceSum} gives every subtask the sums, which are fed back. The criteria
 * stream is the mean loss through {@link TerminateOnMaxIterOrTol}. When the iteration ends, subtask
 * 0 applies the last epoch's update (the feedback that enters the body after termination, as on
 * flink-ml) and emits the model to a side output, which is the iteration's output.
 *
 * <p>Differences from flink-ml's, none in the loop's structure: the state is plain operator list
 * state, and the regularization step is this port's own (a proximal elastic-net step).
 *
 * <pre>{@code
 * DataStream<DenseVector> model =
 *         new SGD(20, 0.1, 32, 1e-6, 0, 0).optimize(init, trainData, BinaryLogisticLoss.INSTANCE);
 * }</pre>
 */
public class SGD {

    private static final TypeInformation<double[]> DOUBLES =
            PrimitiveArrayTypeInfo.DOUBLE_PRIMITIVE_ARRAY_TYPE_INFO;

    private final SGDParams params;

    public SGD(
            int maxIter,
            double learningRate,
            int globalBatchSize,
            double tol,
            double reg,
            double elasticNet) {
        this.params = new SGDParams(maxIter, learningRate, globalBatchSize, tol, reg, elasticNet);
    }

    /**
     * Trains from {@code initModelData} (one vector) on {@code trainData}; one model vector out.
     */
    public DataStream<DenseVector> optimize(
            DataStream<DenseVector> initModelData,
            DataStream<LabeledPointWithWeight> trainData,
            LossFunc lossFunc) {
        DataStreamList resultList =
                Iterations.iterateBoundedStreamsUntilTermination(
                        DataStreamList.of(
                                initModelData.broadcast().map(vector -> vector.values, DOUBLES)),
                        ReplayableDataStreamList.notReplay(
                                trainData.rebalance().map(x -> x, trainData.getType())),
                        IterationConfig.newBuilder().build(),
                        new TrainIterationBody(lossFunc, params));
        return resultList.get(0);
    }

    /** The loop: train on a mini-batch per epoch, sum over subtasks, feed back, stop on loss. */
    private static class TrainIterationBody implements IterationBody {
        private final LossFunc lossFunc;
        private final SGDParams params;

        TrainIterationBody(LossFunc lossFunc, SGDParams params) {
            this.lossFunc = lossFunc;
            this.params = params;
        }

        @Override
        public IterationBodyResult process(
                DataStreamList variableStreams, DataStreamList dataStreams) {
            // Epoch 0: the initial model. Later epochs: the summed [gradient, weight, loss].
            DataStream<double[]> variableStream = variableStreams.get(0);
            DataStream<LabeledPointWithWeight> trainData = dataStreams.get(0);
            OutputTag<DenseVector> modelDataOutputTag =
                    new OutputTag<>("MODEL_OUTPUT", KMeans.VECTOR);

            SingleOutputStreamOperator<double[]> modelUpdateAndWeightAndLoss =
                    trainData
                            .connect(variableStream)
                            .transform(
                                    "CacheDataAndDoTrain",
                                    DOUBLES,
                                    new CacheDataAndDoTrain(lossFunc, params, modelDataOutputTag));

            DataStreamList feedbackVariableStream =
                    IterationBody.forEachRound(
                            DataStreamList.of(modelUpdateAndWeightAndLoss),
                            input -> DataStreamList.of(DataStreamUtils.allReduceSum(input.get(0))));

            DataStream<Integer> terminationCriteria =
                    feedbackVariableStream
                            .<double[]>get(0)
                            .map(
                                    sums -> sums[sums.length - 1] / sums[sums.length - 2],
                                    Types.DOUBLE)
                            .flatMap(new TerminateOnMaxIterOrTol(params.maxIter, params.tol));

            return new IterationBodyResult(
                    DataStreamList.of(feedbackVariableStream.get(0)),
                    DataStreamList.of(
                            modelUpdateAndWeightAndLoss.getSideOutput(modelDataOutputTag)),
                    terminationCriteria);
        }
    }

    /**
     * Input 1: the training data of this subtask, cached. Input 2: the initial model, then each
     * epoch's summed update. Its checkpointed state is what flink-ml's keeps: the model, the last
     * array received and the offset of the next mini-batch, besides the data.
     */
    private static class CacheDataAndDoTrain extends AbstractStreamOperator<double[]>
            implements TwoInputStreamOperator<LabeledPointWithWeight, double[], double[]>,
                    IterationListener<double[]> {

        private final SGDParams params;
        private final LossFunc lossFunc;
        private final OutputTag<DenseVector> modelDataOutputTag;

        private transient List<LabeledPointWithWeight> trainData;
        private transient ListState<LabeledPointWithWeight> trainDataState;
        private transient int nextBatchOffset;
        private transient ListState<Integer> nextBatchOffsetState;
        private transient DenseVector coefficient;
        private transient ListState<DenseVector> coefficientState;
        private transient int coefficientDim;

        /** [gradient sum (coefficientDim values), total weight, total loss]. */
        private transient double[] feedbackArray;

        private transient ListState<double[]> feedbackArrayState;
        private transient int localBatchSize;

        CacheDataAndDoTrain(
                LossFunc lossFunc, SGDParams params, OutputTag<DenseVector> modelDataOutputTag) {
            this.lossFunc = lossFunc;
            this.params = params;
            this.modelDataOutputTag = modelDataOutputTag;
        }

        @Override
        public void open() throws Exception {
            super.open();
            int numTasks = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
            int taskId = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            // The global batch is split evenly; the first subtasks take one more of the rest.
            localBatchSize = params.globalBatchSize / numTasks;
            if (params.globalBatchSize % numTasks > taskId) {
                localBatchSize++;
            }
        }

        private double getTotalWeight() {
            return feedbackArray[coefficientDim];
        }

        private double getTotalLoss() {
            return feedbackArray[coefficientDim + 1];
        }

        private void updateModel() {
            if (getTotalWeight() > 0) {
                double step = -params.learningRate / getTotalWeight();
                for (int j = 0; j < coefficientDim; j++) {
                    coefficient.values[j] += step * feedbackArray[j];
                }
                double regLoss =
                        Regularization.apply(
                                coefficient, params.reg, params.elasticNet, params.learningRate);
                feedbackArray[coefficientDim + 1] = getTotalLoss() + regLoss;
            }
        }

        @Override
        public void onEpochWatermarkIncremented(
                int epochWatermark, Context context, Collector<double[]> collector)
                throws Exception {
            if (epochWatermark == 0) {
                coefficient = new DenseVector(feedbackArray);
                coefficientDim = coefficient.size();
                feedbackArray = new double[coefficientDim + 2];
            } else {
                updateModel();
            }

            if (trainData == null) {
                trainData = new ArrayList<>();
                trainDataState.get().forEach(trainData::add);
            }
            if (trainData.isEmpty()) {
                return;
            }
            List<LabeledPointWithWeight> miniBatch =
                    trainData.subList(
                            nextBatchOffset,
                            Math.min(nextBatchOffset + localBatchSize, trainData.size()));
            nextBatchOffset += localBatchSize;
            if (nextBatchOffset >= trainData.size()) {
                nextBatchOffset = 0;
            }

            Arrays.fill(feedbackArray, 0);
            DenseVector gradientSum = new DenseVector(feedbackArray);
            double totalLoss = 0;
            double totalWeight = 0;
            for (LabeledPointWithWeight point : miniBatch) {
                totalLoss += lossFunc.computeLoss(point, coefficient);
                lossFunc.computeGradient(point, coefficient, gradientSum);
                totalWeight += point.getWeight();
            }
            feedbackArray[coefficientDim] = totalWeight;
            feedbackArray[coefficientDim + 1] = totalLoss;
            collector.collect(feedbackArray);
        }

        @Override
        public void onIterationTerminated(Context context, Collector<double[]> collector)
                throws Exception {
            trainDataState.clear();
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                updateModel();
                context.output(modelDataOutputTag, coefficient);
            }
        }

        @Override
        public void processElement1(StreamRecord<LabeledPointWithWeight> point) throws Exception {
            trainDataState.add(point.getValue());
        }

        @Override
        public void processElement2(StreamRecord<double[]> modelOrSums) {
            feedbackArray = modelOrSums.getValue();
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            coefficientState =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>("coefficientState", KMeans.VECTOR));
            coefficient = only(coefficientState.get());
            if (coefficient != null) {
                coefficientDim = coefficient.size();
            }
            feedbackArrayState =
                    context.getOperatorStateStore()
                            .getListState(new ListStateDescriptor<>("feedbackArrayState", DOUBLES));
            feedbackArray = only(feedbackArrayState.get());
            trainDataState =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>(
                                            "trainDataState",
                                            TypeInformation.of(LabeledPointWithWeight.class)));
            nextBatchOffsetState =
                    context.getOperatorStateStore()
                            .getListState(
                                    new ListStateDescriptor<>("nextBatchOffsetState", Types.INT));
            Integer offset = only(nextBatchOffsetState.get());
            nextBatchOffset = offset == null ? 0 : offset;
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            coefficientState.clear();
            if (coefficient != null) {
                coefficientState.add(coefficient);
            }
            feedbackArrayState.clear();
            if (feedbackArray != null) {
                feedbackArrayState.add(feedbackArray);
            }
            nextBatchOffsetState.clear();
            nextBatchOffsetState.add(nextBatchOffset);
        }

        private static <T> T only(Iterable<T> values) {
            Iterator<T> it = values.iterator();
            if (!it.hasNext()) {
                return null;
            }
            T value = it.next();
            if (it.hasNext()) {
                throw new IllegalStateException("More than one value in a subtask's state.");
            }
            return value;
        }
    }

    /** The elastic-net penalty: its loss, and a proximal step that shrinks the model in place. */
    static final class Regularization {
        private Regularization() {}

        /**
         * Applies the penalty {@code reg * (elasticNet * |w|_1 + (1 - elasticNet) / 2 * |w|^2)} to
         * {@code coefficient} with step {@code learningRate}; returns the penalty before the step.
         */
        static double apply(
                DenseVector coefficient, double reg, double elasticNet, double learningRate) {
            if (reg == 0) {
                return 0;
            }
            double l1 = reg * elasticNet;
            double l2 = reg * (1 - elasticNet);
            double loss = 0;
            for (int j = 0; j < coefficient.size(); j++) {
                double w = coefficient.values[j];
                loss += l1 * Math.abs(w) + l2 / 2 * w * w;
                double shrunk = w * (1 - learningRate * l2);
                coefficient.values[j] =
                        Math.signum(shrunk) * Math.max(0, Math.abs(shrunk) - learningRate * l1);
            }
            return loss;
        }
    }

    /** The optimizer's settings. */
    private static class SGDParams implements Serializable {
        private static final long serialVersionUID = 1L;

        final int maxIter;
        final double learningRate;
        final int globalBatchSize;
        final double tol;
        final double reg;
        final double elasticNet;

        SGDParams(
                int maxIter,
                double learningRate,
                int globalBatchSize,
                double tol,
                double reg,
                double elasticNet) {
            this.maxIter = maxIter;
            this.learningRate = learningRate;
            this.globalBatchSize = globalBatchSize;
            this.tol = tol;
            this.reg = reg;
            this.elasticNet = elasticNet;
        }
    }
}
