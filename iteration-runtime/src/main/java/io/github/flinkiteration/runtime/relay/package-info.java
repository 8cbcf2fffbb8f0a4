/**
 * Broadcast relays: a body operator that reads a data stream and a broadcast (records and the
 * newest model) gets the broadcast in process instead of over the network, so that Flink chains it
 * behind its data. {@link io.github.flinkiteration.runtime.relay.BroadcastRelayOperator} receives
 * the broadcast in a task co-located with each subtask of the operator and puts it into a feedback
 * channel; {@link io.github.flinkiteration.runtime.relay.RelayedBroadcastOperator} hosts the
 * operator's round wrapper as a one-input operator and takes the broadcast in its mailbox. The
 * channel cuts checkpoints as between a tail and its head, with the roles turned: the consumer
 * applies what is on its side of the cut before its barrier, the relay keeps the rest. The
 * translation decides where this applies (draft {@code BroadcastRelayTranslator}). See
 * docs/architecture.md, section 1 "From body to job graph".
 */
package io.github.flinkiteration.runtime.relay;
