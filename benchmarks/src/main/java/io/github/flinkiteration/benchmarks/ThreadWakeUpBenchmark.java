package io.github.flinkiteration.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's floor for a hand-off between two Flink tasks: one thread wakes a parked thread and
 * parks until that thread wakes it back, so one operation is two wake-ups. Every step of a round
 * that crosses from one task to another (a network channel's data notification, a mail put into a
 * head's mailbox) ends in such a wake-up; W1 at parallelism 2 has two per round, W2 four.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ThreadWakeUpBenchmark {

    private volatile boolean partnersTurn;
    private volatile boolean stopped;
    private volatile Thread caller;
    private Thread partner;

    @Setup
    public void startPartner() {
        partner =
                new Thread(
                        () -> {
                            while (!stopped) {
                                if (partnersTurn) {
                                    partnersTurn = false;
                                    LockSupport.unpark(caller);
                                } else {
                                    LockSupport.park(this);
                                }
                            }
                        },
                        "wake-up partner");
        partner.setDaemon(true);
        partner.start();
    }

    @TearDown
    public void stopPartner() throws InterruptedException {
        stopped = true;
        LockSupport.unpark(partner);
        partner.join();
    }

    @Benchmark
    public void roundTrip() {
        caller = Thread.currentThread();
        partnersTurn = true;
        LockSupport.unpark(partner);
        while (partnersTurn) {
            LockSupport.park(this);
        }
    }
}
