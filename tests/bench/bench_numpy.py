#!/usr/bin/python3
"""bench_numpy.py - one full-batch epoch of a linear/MSE fit in NumPy with a
hand-vectorised gradient and an SGD step, timed like bench_engine.c.

Usage: bench_numpy.py [SECONDS]   (each repetition runs >= SECONDS, 0.5 default)

Output: one line per N, best of 5 repetitions with the median beside it:
  numpy N=1000000 ns_per_row=3.8 us_per_epoch=3800.0 median_us_per_epoch=...
Lines starting with '#' are information. Run it without OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE in the environment (run.sh does), they slow NumPy down.
"""
import sys
import time

try:
    import numpy as np
except ImportError:
    print("numpy: not installed (apt-get install python3-numpy)")
    sys.exit(0)

SIZES = (1000, 1000000)
REPS = 5
LR = 0.01  # Keras SGD default
M0, B0 = 0.5, 0.5  # same starting point as bench_engine.c


def now_s():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC) * 1e-9


def make_data(n):
    """x evenly spaced in [0,1], y = (x + 2) + 0.01*((i*7919 % 1000)/1000 - 0.5):
    bit-identical to bench_engine.c (every step is one correctly rounded op)."""
    i = np.arange(n, dtype=np.int64)
    x = i.astype(np.float64) / float(n - 1 if n > 1 else 1)
    u = ((i * 7919) % 1000).astype(np.float64) / 1000.0
    y = (x + 2.0) + 0.01 * (u - 0.5)
    return x, y


def run_epochs(x, y, epochs):
    """epochs full-batch epochs from (M0, B0); returns the last loss."""
    m, b = M0, B0
    loss = 0.0
    for _ in range(epochs):
        yhat = m * x + b
        r = yhat - y
        loss = np.mean(r * r)
        gm = 2.0 * np.mean(r * x)
        gb = 2.0 * np.mean(r)
        m = m - LR * gm
        b = b - LR * gb
    return loss


def time_case(name, n, x, y, min_s):
    # Warm-up and a first estimate: 1, 2, 4, ... epochs until 10% of min_s.
    warm, t0 = 1, now_s()
    while True:
        run_epochs(x, y, warm)
        dt = now_s() - t0
        if dt >= 0.1 * min_s:
            break
        warm *= 2
    per_epoch = dt / (2 * warm - 1)
    epochs = max(3, int(1.1 * min_s / max(per_epoch, 1e-9)) + 1)
    t = []
    for _ in range(REPS):
        a = now_s()
        run_epochs(x, y, epochs)
        t.append((now_s() - a) / epochs)
    t.sort()
    best, median = t[0], t[REPS // 2]
    print("%-6s N=%d ns_per_row=%.4f us_per_epoch=%.3f median_us_per_epoch=%.3f "
          "epochs_per_rep=%d reps=%d" % (name, n, best * 1e9 / n, best * 1e6, median * 1e6,
                                         epochs, REPS), flush=True)


def main():
    min_s = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    print("# numpy %s, python %s" % (np.__version__, sys.version.split()[0]))
    for n in SIZES:
        x, y = make_data(n)
        r = M0 * x + B0 - y
        print("# check N=%d loss0=%.17g" % (n, np.mean(r * r)))
        time_case("numpy", n, x, y, min_s)


if __name__ == "__main__":
    main()
