#!/usr/bin/python3
"""bench_torch.py - one full-batch epoch of a linear/MSE fit in PyTorch:
autograd (loss.backward()) on float64 tensors, one thread, manual SGD step
under no_grad, gradients zeroed every epoch. Timed like bench_engine.c.

Usage: bench_torch.py [SECONDS]   (each repetition runs >= SECONDS, 0.5 default)

Output: one line per N, best of 5 repetitions with the median beside it:
  torch N=1000000 ns_per_row=14.0 us_per_epoch=14000.0 median_us_per_epoch=...
Lines starting with '#' are information.
"""
import sys
import time

try:
    import torch
except ImportError:
    print("torch: not installed (apt-get install python3-torch)")
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
    i = torch.arange(n, dtype=torch.int64)
    x = i.to(torch.float64) / float(n - 1 if n > 1 else 1)
    u = ((i * 7919) % 1000).to(torch.float64) / 1000.0
    y = (x + 2.0) + 0.01 * (u - 0.5)
    return x, y


def run_epochs(x, y, epochs):
    """epochs full-batch epochs from (M0, B0); returns the last loss (a tensor)."""
    m = torch.tensor(M0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(B0, dtype=torch.float64, requires_grad=True)
    loss = None
    for _ in range(epochs):
        yhat = m * x + b
        loss = torch.mean((yhat - y) ** 2)
        loss.backward()
        with torch.no_grad():
            m -= LR * m.grad
            b -= LR * b.grad
            m.grad.zero_()
            b.grad.zero_()
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
    torch.set_num_threads(1)
    print("# torch %s, python %s, threads %d" % (torch.__version__, sys.version.split()[0],
                                                 torch.get_num_threads()))
    for n in SIZES:
        x, y = make_data(n)
        with torch.no_grad():
            loss0 = torch.mean((M0 * x + B0 - y) ** 2).item()
        print("# check N=%d loss0=%.17g" % (n, loss0))
        time_case("torch", n, x, y, min_s)


if __name__ == "__main__":
    main()
