package io.jtipc.bearer;

import java.util.SplittableRandom;

/**
 * A {@link LossGenerator} dropping a fixed fraction of frames, each independently, chosen by a
 * seeded generator so a test run can be repeated. For the receiving thread only (not thread-safe).
 */
public final class RandomLossGenerator implements LossGenerator {
    /** Largest fraction accepted: beyond half the frames lost, links fail instead of recovering. */
    public static final double MAX_FRACTION = 0.5;

    private final double fraction;
    private final SplittableRandom random;

    /**
     * @param fraction share of frames dropped, 0 up to {@value #MAX_FRACTION}
     * @param seed     seed of the generator
     * @throws IllegalArgumentException outside that range
     */
    public RandomLossGenerator(double fraction, long seed) {
        if (!(fraction >= 0 && fraction <= MAX_FRACTION)) {
            throw new IllegalArgumentException("receive loss must be between 0 and " + MAX_FRACTION + ", not " + fraction);
        }
        this.fraction = fraction;
        this.random = new SplittableRandom(seed);
    }

    /** The share of frames dropped, 0 to 0.5. */
    public double fraction() {
        return fraction;
    }

    @Override
    public boolean shouldDrop(byte[] frame, int off, int length) {
        return random.nextDouble() < fraction;
    }

    @Override
    public String toString() {
        return "RandomLossGenerator[" + fraction + "]";
    }
}
