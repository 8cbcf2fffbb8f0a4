/**
 * Helpers for testing iteration jobs. {@link ControlledSource} is a source whose progress the test
 * releases through a gate, so that a test can hold the input back until it has seen some output;
 * {@link Jobs} waits for jobs started with {@code executeAsync()}. See README.md, section "Testing
 * iteration jobs".
 */
package io.github.flinkiteration.testing;
