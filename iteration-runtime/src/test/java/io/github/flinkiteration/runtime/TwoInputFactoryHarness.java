package io.github.flinkiteration.runtime;

import java.util.Optional;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.StreamOperatorFactory;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.Mail;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;

/**
 * A harness for a two-input operator that only a factory can build (it takes its {@code
 * StreamOperatorParameters} in its constructor, as heads and round wrappers do): Flink's {@code
 * TwoInputStreamOperatorTestHarness} accepts operator instances only. Inputs go straight to the
 * operator, as in Flink's own harness.
 */
public class TwoInputFactoryHarness<IN1, IN2, OUT> extends AbstractStreamOperatorTestHarness<OUT> {

    public TwoInputFactoryHarness(StreamOperatorFactory<OUT> factory, MockEnvironment environment)
            throws Exception {
        super(factory, environment);
    }

    public TwoInputFactoryHarness(
            StreamOperatorFactory<OUT> factory, int maxParallelism, int parallelism, int subtask)
            throws Exception {
        super(factory, maxParallelism, parallelism, subtask);
    }

    @SuppressWarnings("unchecked")
    private TwoInputStreamOperator<IN1, IN2, OUT> twoInputOperator() {
        return (TwoInputStreamOperator<IN1, IN2, OUT>) operator;
    }

    public void processElement1(StreamRecord<IN1> record) throws Exception {
        twoInputOperator().setKeyContextElement1(record);
        twoInputOperator().processElement1(record);
    }

    public void processElement2(StreamRecord<IN2> record) throws Exception {
        twoInputOperator().setKeyContextElement2(record);
        twoInputOperator().processElement2(record);
    }

    public void processWatermark1(long timestamp) throws Exception {
        twoInputOperator().processWatermark1(new Watermark(timestamp));
    }

    public void processWatermark2(long timestamp) throws Exception {
        twoInputOperator().processWatermark2(new Watermark(timestamp));
    }

    public void endInput(int inputId) throws Exception {
        ((BoundedMultiInput) operator).endInput(inputId);
    }

    /** Runs the first mail waiting in the task's mailbox; returns whether there was one. */
    public boolean runOneMail() throws Exception {
        Optional<Mail> mail = getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY);
        if (mail.isPresent()) {
            mail.get().run();
        }
        return mail.isPresent();
    }

    /** Runs every mail waiting in the task's mailbox, as the task thread does between inputs. */
    public void runMailbox() throws Exception {
        Optional<Mail> mail;
        while ((mail = getTaskMailbox().tryTake(TaskMailbox.MIN_PRIORITY)).isPresent()) {
            mail.get().run();
        }
    }
}
