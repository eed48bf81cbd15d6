/* plot_ticks.c - nice tick values and their labels for plot.h: steps of
 * 1, 2, 5 x 10^k on linear axes, decades (or 1-2-5 within one) on log
 * axes, each value the double nearest its decimal; numbers in the
 * shortest %g form that reads back as the value, with a short exponent.
 * Plain functions of their arguments, so the same axis always gets the
 * same ticks and labels. */
#include "plot_ticks.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* 10^e: exact for |e| <= 22, where the literal powers are doubles. */
static double pow10i(int e) {
    if (e > 22 || e < -22) return pow(10.0, (double)e);
    double p = 1.0;
    for (int i = 0; i < (e < 0 ? -e : e); i++) p *= 10.0;
    return e < 0 ? 1.0 / p : p;
}

/* + 0.0 turns -0 into 0. */
double plot_decimal(double k, int m, int e) {
    double km = k * (double)m;
    return (e >= 0 ? km * pow10i(e) : km / pow10i(-e)) + 0.0;
}

void plot_widen(double *lo, double *hi) {
    double big = fabs(*lo) > fabs(*hi) ? fabs(*lo) : fabs(*hi);
    if (*hi - *lo > 1e-10 * big) return;
    double mid = *lo / 2 + *hi / 2, half = mid != 0.0 ? 0.05 * fabs(mid) : 1.0;
    *lo = mid - half;
    *hi = mid + half;
}

size_t plot_linear_ticks(double lo, double hi, size_t max_ticks, int whole, double *out,
                         size_t cap) {
    static const int mult[3] = {1, 2, 5};
    plot_widen(&lo, &hi);
    double span = hi - lo;
    if (!isfinite(span) || !(span > 0)) return 0;
    int e = (int)floor(log10(span / (double)max_ticks)) - 1;
    for (int t = 0; t < 15; t++) { /* steps 1, 2, 5 x 10^e, 10^(e+1), ... growing */
        int m = mult[t % 3], ee = e + t / 3;
        if (whole && ee < 0) continue;
        double step = (double)m * pow10i(ee);
        double kmin = ceil(lo / step - 1e-9), kmax = floor(hi / step + 1e-9);
        if (!(kmax - kmin + 1 <= (double)max_ticks)) continue;
        size_t n = 0;
        for (double k = kmin; k <= kmax && n < cap; k++) out[n++] = plot_decimal(k, m, ee);
        return n;
    }
    return 0;
}

/* Log ticks for 0 < lo <= hi: decades, or 1, 2, 5 x 10^k when fewer than
 * two decades fall inside, or linear ones when fewer than two of those do. */
static size_t log_ticks(double lo, double hi, size_t max_ticks, double *out, size_t cap) {
    static const int mult[3] = {1, 2, 5};
    double l0 = log10(lo), l1 = log10(hi);
    int d0 = (int)ceil(l0 - 1e-9), d1 = (int)floor(l1 + 1e-9);
    size_t n = 0;
    if (d1 - d0 >= 1) { /* two decades or more: powers of ten, every stride-th */
        int stride = (d1 - d0 + (int)max_ticks) / (int)max_ticks;
        int r = ((d0 % stride) + stride) % stride, d = r == 0 ? d0 : d0 + stride - r;
        for (; d <= d1 && n < cap; d += stride) out[n++] = pow10i(d);
        return n;
    }
    for (int d = (int)floor(l0); d <= (int)ceil(l1); d++) {
        for (int i = 0; i < 3 && n < cap; i++) {
            double v = plot_decimal(1.0, mult[i], d);
            if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out[n++] = v;
        }
    }
    if (n >= 2) return n;
    n = plot_linear_ticks(lo, hi, max_ticks, 0, out, cap); /* less than a decade across */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] > 0) out[k++] = out[i];
    return k;
}

size_t plot_nice_ticks(double lo, double hi, plot_scale scale, size_t max_ticks, double *out,
                       size_t cap) {
    if (!isfinite(lo) || !isfinite(hi) || cap == 0) return 0;
    if (lo > hi) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    if (max_ticks < 2) max_ticks = 2;
    if (max_ticks > 1000) max_ticks = 1000;
    if (scale == PLOT_LOG) return lo > 0 ? log_ticks(lo, hi, max_ticks, out, cap) : 0;
    return plot_linear_ticks(lo, hi, max_ticks, 0, out, cap);
}

size_t plot_format_tick(double v, int digits, int sci, char *buf, size_t cap) {
    char tmp[48];
    if (cap == 0) return 0;
    if (isnan(v)) {
        snprintf(tmp, sizeof tmp, "nan");
    } else if (isinf(v)) {
        snprintf(tmp, sizeof tmp, v < 0 ? "-inf" : "inf");
    } else {
        v += 0.0; /* no "-0" */
        int most = digits > 0 && digits < 17 ? digits : 17, prec = 1;
        for (; prec < most; prec++) { /* significant digits needed */
            snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
            if (strtod(tmp, NULL) == v) break;
        }
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
        int e = atoi(strchr(tmp, 'e') + 1);
        if (e >= 0 && e < 6 && prec < e + 1) prec = e + 1; /* 10 and 250, not 1e1, 2.5e2 */
        if (!sci || v == 0) snprintf(tmp, sizeof tmp, "%.*g", prec, v);
    }
    size_t n = 0; /* copy, with a locale's ',' as '.' and the exponent shortened */
    for (const char *q = tmp; *q != '\0' && n + 1 < cap; q++) {
        char ch = *q == ',' ? '.' : *q;
        buf[n++] = ch;
        if (ch != 'e') continue;
        if (q[1] == '+')
            q++;
        else if (q[1] == '-' && n + 1 < cap)
            buf[n++] = *++q;
        while (q[1] == '0' && q[2] != '\0') q++;
    }
    buf[n] = '\0';
    return n;
}

size_t plot_format_number(double v, int digits, char *buf, size_t cap) {
    return plot_format_tick(v, digits, 0, buf, cap);
}
