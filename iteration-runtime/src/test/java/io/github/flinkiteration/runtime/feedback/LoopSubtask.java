package io.github.flinkiteration.runtime.feedback;

import io.github.flinkiteration.runtime.TwoInputFactoryHarness;
import io.github.flinkiteration.runtime.protocol.FeedbackRecord;
import io.github.flinkiteration.runtime.protocol.ProgressPlan;
import io.github.flinkiteration.runtime.protocol.ResumeEvent;
import io.github.flinkiteration.runtime.protocol.RoundReportEvent;
import io.github.flinkiteration.runtime.protocol.RoundSummary;
import io.github.flinkiteration.runtime.protocol.SerializedFeedback;
import io.github.flinkiteration.runtime.record.IterationRecord;
import io.github.flinkiteration.runtime.record.IterationRecordSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventDispatcher;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

/**
 * One subtask of a loop over an {@code Integer} variable: its head and (optionally) its tail, each
 * in Flink's operator test harness.
 *
 * <p>Both harnesses share one {@link MockEnvironment}, as a tail chained to its head shares the
 * head's task. That is how they meet: the feedback channel lives in the environment's {@code
 * SharedResources}, and {@code MockEnvironment} creates one per environment with no way to hand it
 * to another. Sharing the environment also shares its task configuration and task state manager, so
 * restores initialize one operator after the other (see {@link #restore}).
 *
 * <p>Flink's harness gives the operator an event dispatcher that sends nowhere; the head's factory
 * is wrapped so that what the head sends to its coordinator is recorded, and the coordinator's
 * events reach the handler the head registered.
 */
final class LoopSubtask implements AutoCloseable {

    static final String VARIABLE = "x";
    static final IterationRecordSerializer<Integer> SERIALIZER =
            new IterationRecordSerializer<>(IntSerializer.INSTANCE);

    final ProgressPlan plan;
    final TwoInputFactoryHarness<Integer, Void, IterationRecord<Integer>> head;
    final OneInputStreamOperatorTestHarness<IterationRecord<Integer>, RoundSummary> tail;
    private final MockEnvironment environment;
    private final RecordingDispatcher dispatcher = new RecordingDispatcher();

    private LoopSubtask(
            ProgressPlan plan, int parallelism, int subtask, TailOperator<Integer> tailOperator)
            throws Exception {
        this.plan = plan;
        this.environment =
                MockEnvironment.builder()
                        .setTaskName("head and tail")
                        .setMaxParallelism(128)
                        .setParallelism(parallelism)
                        .setSubtaskIndex(subtask)
                        .build();
        // A checkpointed job's configuration: heads refuse snapshots of jobs without checkpointing,
        // which Flink takes at-least-once.
        environment
                .getJobConfiguration()
                .set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
        this.head =
                new TwoInputFactoryHarness<>(
                        new RecordingFactory(
                                HeadOperator.factory(VARIABLE, plan, true), dispatcher),
                        environment);
        head.getStreamConfig().setTypeSerializerOut(SERIALIZER);
        head.getStreamConfig().serializeAllConfigs();
        head.setup(SERIALIZER);
        this.tail =
                tailOperator == null
                        ? null
                        : new OneInputStreamOperatorTestHarness<>(
                                tailOperator, SERIALIZER, environment);
    }

    /** A head alone; the test plays its tail (and decider) through {@link #channel()}. */
    static LoopSubtask head(ProgressPlan plan, int parallelism, int subtask) throws Exception {
        LoopSubtask loop = new LoopSubtask(plan, parallelism, subtask, null);
        loop.head.open();
        return loop;
    }

    /**
     * A free-flowing head and a tail that runs in its task (TailChaining chained it there): the
     * tail writes chunks the head takes, and the loop runs in one task.
     */
    static LoopSubtask headAndTailInItsTask(ProgressPlan plan, int parallelism, int subtask)
            throws Exception {
        LoopSubtask loop =
                new LoopSubtask(
                        plan,
                        parallelism,
                        subtask,
                        new TailOperator<>(
                                plan.getIterationId(),
                                VARIABLE,
                                0,
                                plan.isDecidedInDataPlane(),
                                false,
                                plan.isLockStep(),
                                true));
        // A task opens its operators from the end of the chain to its start.
        loop.tail.open();
        loop.head.open();
        return loop;
    }

    /** A head and the tail chained to it. */
    static LoopSubtask headAndTail(ProgressPlan plan, int parallelism, int subtask)
            throws Exception {
        LoopSubtask loop = new LoopSubtask(plan, parallelism, subtask, tailOf(plan));
        loop.tail.open();
        loop.head.open();
        return loop;
    }

    /**
     * A head and tail restored from their snapshots of one checkpoint; a null {@code tailState}
     * restores the tail empty. Both harnesses hand their state to the environment's one task state
     * manager, under the operator id of the shared configuration, and it keeps the last state it
     * was given: each operator is initialized right after its own state was handed over, the tail
     * first so that an empty tail does not pick up the head's state.
     */
    static LoopSubtask restore(
            ProgressPlan plan,
            int parallelism,
            int subtask,
            OperatorSubtaskState headState,
            OperatorSubtaskState tailState)
            throws Exception {
        LoopSubtask loop = new LoopSubtask(plan, parallelism, subtask, tailOf(plan));
        loop.tail.initializeState(tailState);
        loop.head.initializeState(headState);
        // A task opens its operators from the end of the chain to its start.
        loop.tail.open();
        loop.head.open();
        return loop;
    }

    private static TailOperator<Integer> tailOf(ProgressPlan plan) {
        return new TailOperator<>(
                plan.getIterationId(), VARIABLE, 0, plan.isDecidedInDataPlane(), plan.isLockStep());
    }

    /** The channel between this head and tail, as a tail or a decider finds it. */
    FeedbackChannel channel() throws Exception {
        // The head already holds a lease on it; leasing again under the same holder adds none.
        return FeedbackChannels.acquire(head.getOperator(), plan.getIterationId(), VARIABLE);
    }

    HeadOperator<Integer> headOperator() {
        return (HeadOperator<Integer>) head.getOperator();
    }

    /** What the head emitted so far: {@code "round:value"} per record, {@code "wm r"} per mark. */
    List<String> headOutput() {
        return describe(head.getOutput());
    }

    /** What the head sent its coordinator so far. */
    List<String> sentToCoordinator() {
        List<String> sent = new ArrayList<>();
        for (OperatorEvent event : dispatcher.sent) {
            if (event instanceof RoundReportEvent) {
                RoundReportEvent report = (RoundReportEvent) event;
                sent.add("report " + report.getRound() + " fed " + report.getFeedbackRecords());
            } else if (event instanceof ResumeEvent) {
                ResumeEvent resume = (ResumeEvent) event;
                sent.add("resume " + resume.getRound() + (resume.isTerminated() ? " stopped" : ""));
            } else {
                sent.add(event.toString());
            }
        }
        return sent;
    }

    /** Delivers an event from the coordinator, as the task's dispatcher would. */
    void fromCoordinator(OperatorEvent event) throws Exception {
        dispatcher.handler.handleOperatorEvent(event);
    }

    void initialRecords(int... values) throws Exception {
        for (int value : values) {
            head.processElement1(new StreamRecord<>(value));
        }
    }

    void tailRecords(int round, int... values) throws Exception {
        for (int value : values) {
            tail.processElement(new StreamRecord<>(new IterationRecord<>(round, value)));
        }
    }

    static List<String> describe(Collection<Object> output) {
        List<String> described = new ArrayList<>();
        for (Object element : output) {
            if (element instanceof Watermark) {
                long round = ((Watermark) element).getTimestamp();
                described.add("wm " + (round == Long.MAX_VALUE ? "max" : round));
            } else if (element instanceof StreamRecord) {
                StreamRecord<?> record = (StreamRecord<?>) element;
                Object value = record.getValue();
                String text =
                        value instanceof IterationRecord
                                ? ((IterationRecord<?>) value).getRound()
                                        + ":"
                                        + ((IterationRecord<?>) value).getValue()
                                : String.valueOf(value);
                described.add(record.hasTimestamp() ? text + "@" + record.getTimestamp() : text);
            } else {
                described.add(String.valueOf(element));
            }
        }
        return described;
    }

    /** Feedback records entering {@code round}, serialized as a lock-step tail hands them over. */
    static SerializedFeedback chunk(int round, int... values) throws Exception {
        SerializedFeedback.Writer<Integer> writer =
                new SerializedFeedback.Writer<>(IntSerializer.INSTANCE);
        for (int value : values) {
            // The writer returns a chunk only when it is full or the round changes: neither here.
            writer.write(new StreamRecord<>(new IterationRecord<>(round - 1, value)), round);
        }
        return writer.take();
    }

    /** One feedback record entering {@code round}, as a free-flowing tail hands it over. */
    static FeedbackRecord<Integer> record(int round, int value) {
        return new FeedbackRecord<>(new StreamRecord<>(new IterationRecord<>(round, value)));
    }

    @Override
    public void close() throws Exception {
        if (tail != null) {
            tail.close();
        }
        head.close();
        environment.close();
    }

    /** Records what the operator sends to its coordinator and keeps the handler it registers. */
    private static final class RecordingDispatcher implements OperatorEventDispatcher {
        final List<OperatorEvent> sent = new ArrayList<>();
        OperatorEventHandler handler;

        @Override
        public void registerEventHandler(OperatorID operator, OperatorEventHandler handler) {
            this.handler = handler;
        }

        @Override
        public OperatorEventGateway getOperatorEventGateway(OperatorID operator) {
            return sent::add;
        }
    }

    /** The head's own factory, handed the recording dispatcher instead of the harness's. */
    private static final class RecordingFactory
            implements StreamOperatorFactory<IterationRecord<Integer>> {
        private final StreamOperatorFactory<IterationRecord<Integer>> factory;
        private final transient RecordingDispatcher dispatcher;

        RecordingFactory(
                StreamOperatorFactory<IterationRecord<Integer>> factory,
                RecordingDispatcher dispatcher) {
            this.factory = factory;
            this.dispatcher = dispatcher;
        }

        @Override
        public <O extends StreamOperator<IterationRecord<Integer>>> O createStreamOperator(
                StreamOperatorParameters<IterationRecord<Integer>> parameters) {
            return factory.createStreamOperator(
                    new StreamOperatorParameters<>(
                            parameters.getContainingTask(),
                            parameters.getStreamConfig(),
                            parameters.getOutput(),
                            parameters::getProcessingTimeService,
                            dispatcher,
                            parameters.getMailboxExecutor()));
        }

        @Override
        public void setChainingStrategy(ChainingStrategy strategy) {
            factory.setChainingStrategy(strategy);
        }

        @Override
        public ChainingStrategy getChainingStrategy() {
            return factory.getChainingStrategy();
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
            return factory.getStreamOperatorClass(classLoader);
        }
    }
}
