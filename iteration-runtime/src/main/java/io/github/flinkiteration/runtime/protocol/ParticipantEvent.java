package io.github.flinkiteration.runtime.protocol;

import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * What a participant of the round protocol (a head, a termination check, a replay) tells its
 * coordinator. The coordinator names what it does with each kind through a {@link Receiver}.
 *
 * <pre>{@code
 * ((ParticipantEvent) event).deliverTo(receiver, subtask);
 * }</pre>
 */
public sealed interface ParticipantEvent extends OperatorEvent
        permits ResumeEvent,
                RoundReportEvent,
                CheckReportEvent,
                AggregateReportEvent,
                HoldingEvent,
                TerminatedEvent {

    /** Calls the method of {@code receiver} for this event's kind. */
    void deliverTo(Receiver receiver, int subtask);

    /** One method per kind of event, each with the subtask that sent it. */
    interface Receiver {

        /** The subtask (re)started and says where it stands. */
        void onResume(int subtask, ResumeEvent event);

        /** A head finished a round locally. */
        void onRoundReport(int subtask, RoundReportEvent event);

        /** A termination check reports what its round's records say. */
        void onCheckReport(int subtask, CheckReportEvent event);

        /** A body operator reports its partial aggregates of a round. */
        default void onAggregateReport(int subtask, AggregateReportEvent event) {
            throw new IllegalArgumentException("Unexpected " + event);
        }

        /** A head holds for a rescalable snapshot. */
        default void onHolding(int subtask, HoldingEvent event) {
            throw new IllegalArgumentException("Unexpected " + event);
        }

        /** A head applied the iteration's termination. */
        default void onTerminated(int subtask, TerminatedEvent event) {
            throw new IllegalArgumentException("Unexpected " + event);
        }
    }
}
